using Grpc.Core;
using Sim.Stack.Cluster.Contracts;
using Sim.Stack.Host;
using Sim.Stack.Rpc;

namespace Sim.Stack.Cluster;

/// <summary>
/// A machine's node agent (Ray's raylet): it registers with the head, heartbeats, and runs the actors the head places
/// on it in its own process, so an actor dies with its machine's agent. When the head stops answering for the node
/// timeout, or no longer knows the node (it restarted, or declared the node dead), the agent stops its actors and
/// registers again: as Ray without GCS fault tolerance, actors do not outlive their head.
/// </summary>
public sealed class NodeAgent : Contracts.NodeAgent.NodeAgentBase
{
    private readonly IHost host;
    private readonly ClusterOptions options;
    private readonly string address;
    private readonly int cpus;
    private readonly IReadOnlyDictionary<string, ActorMain> classes;
    private readonly Dictionary<string, CancellationTokenSource> running = new(StringComparer.Ordinal);
    /// <summary>Actors the head killed under the current registration.</summary>
    private readonly HashSet<string> killed = new(StringComparer.Ordinal);
    private readonly ClusterHead.ClusterHeadClient head;

    private NodeAgent(IHost host, ClusterOptions options, string address, int cpus, IReadOnlyDictionary<string, ActorMain> classes)
    {
        this.host = host;
        this.options = options;
        this.address = address;
        this.cpus = cpus;
        this.classes = classes;
        head = new ClusterHead.ClusterHeadClient(new RpcChannel(host, options.HeadAddress, options.HeadPort, options.DialTls));
    }

    /// <summary>The id the head gave this node (null until registered, and after the head was lost).</summary>
    public string? NodeId { get; private set; }

    /// <summary>The actors running here now.</summary>
    public IReadOnlyCollection<string> Running => running.Keys;

    /// <summary>The process entry point: serve the head's StartActor calls, register, heartbeat.</summary>
    public static NodeAgent Start(IHost host, ClusterOptions options, string address, int cpus, IReadOnlyDictionary<string, ActorMain> classes)
    {
        var agent = new NodeAgent(host, options, address, cpus, classes);
        var server = new RpcServer(host, address, options.NodePort, options.ServerTls);
        server.AddService(Contracts.NodeAgent.BindService(agent));
        server.Start();
        host.Spawn("node-agent", agent.RunAsync);
        return agent;
    }

    public override Task<Ack> StartActor(ActorSpec request, ServerCallContext context)
    {
        Admit(request, context, "starts");
        if (killed.Contains(request.ActorId))
        {
            throw new RpcException(new Status(StatusCode.FailedPrecondition, $"actor {request.ActorId} was killed: the head stopped it on {NodeId}"));
        }

        if (running.ContainsKey(request.ActorId))
        {
            return Task.FromResult(new Ack());
        }

        var stop = new CancellationTokenSource();
        running[request.ActorId] = stop;
        host.Spawn($"actor:{request.ActorId}", _ => RunActorAsync(request, stop));
        return Task.FromResult(new Ack());
    }

    public override Task<Ack> StopActor(ActorSpec request, ServerCallContext context)
    {
        Admit(request, context, "stops");

        // Remembered for this registration, so a StartActor still on its way does not start the actor after its stop.
        killed.Add(request.ActorId);
        var wasRunning = running.Remove(request.ActorId, out var stop);
        stop?.Cancel();
        host.Log.Event(new ActorStopped(request.ActorId, host.Machine, wasRunning));
        return Task.FromResult(new Ack());
    }

    private async Task RunAsync(CancellationToken lifetime)
    {
        for (long session = 1; !lifetime.IsCancellationRequested; session++)
        {
            NodeId = await RegisterAsync(session, lifetime);
            var reason = await HeartbeatAsync(lifetime);
            var stopped = StopAll();
            host.Log.Event(new HeadLost(options.Party, host.Machine, stopped, reason));
            NodeId = null;
            killed.Clear();
        }
    }

    private async Task<string> RegisterAsync(long session, CancellationToken lifetime)
    {
        var info = new NodeInfo { Machine = host.Machine, Address = address, Port = options.NodePort, Cpus = cpus, Incarnation = host.Incarnation, Session = session };
        while (true)
        {
            try
            {
                var reply = await head.RegisterNodeAsync(info, deadline: host.Clock.UtcNow + options.CallTimeout, cancellationToken: lifetime);
                return reply.NodeId;
            }
            catch (RpcException)
            {
                await host.Clock.Delay(options.HeartbeatInterval, lifetime);
            }
        }
    }

    /// <summary>Heartbeats until the head is lost; returns why.</summary>
    private async Task<string> HeartbeatAsync(CancellationToken lifetime)
    {
        var lastAnswer = host.Clock.Elapsed;
        while (true)
        {
            await host.Clock.Delay(options.HeartbeatInterval, lifetime);
            try
            {
                var reply = await head.HeartbeatAsync(new HeartbeatRequest { NodeId = NodeId }, deadline: host.Clock.UtcNow + options.CallTimeout, cancellationToken: lifetime);
                if (!reply.Known)
                {
                    return $"the head no longer knows node {NodeId}";
                }

                lastAnswer = host.Clock.Elapsed;
            }
            catch (RpcException e) when (host.Clock.Elapsed - lastAnswer >= options.NodeTimeout)
            {
                return $"no answer from the head for {(host.Clock.Elapsed - lastAnswer).TotalMilliseconds:F0} ms ({e.StatusCode})";
            }
            catch (RpcException)
            {
                // Not yet the node timeout: the next heartbeat may get through.
            }
        }
    }

    private int StopAll()
    {
        var stopped = running.Count;
        foreach (var stop in running.Values)
        {
            stop.Cancel();
        }

        running.Clear();
        return stopped;
    }

    private async Task RunActorAsync(ActorSpec spec, CancellationTokenSource stop)
    {
        host.Log.Event(new ActorStarted(spec.ActorId, spec.ActorClass, host.Machine));
        var state = new ActorState { ActorId = spec.ActorId, Machine = host.Machine, Phase = ActorPhase.Finished };
        try
        {
            var main = classes.TryGetValue(spec.ActorClass, out var m) ? m : throw new ActorFailure("actor-error", $"no actor class '{spec.ActorClass}' on {host.Machine}");
            var result = await main(host, new ActorContext(spec.ActorId, host.Machine, address, spec.Args.Memory, stop.Token));
            state.Result = Google.Protobuf.ByteString.CopyFrom(result);
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            // Stopped by the head's StopActor or because this node lost the head: whoever stopped it took it off the
            // running list, and the head ends it itself (as killed, or node-died), so there is nothing to report.
            return;
        }
        catch (ActorFailure e)
        {
            (state.Phase, state.ErrorKind, state.Cause) = (ActorPhase.Failed, e.ErrorKind, e.Message);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            (state.Phase, state.ErrorKind, state.Cause) = (ActorPhase.Failed, "actor-error", $"{e.GetType().Name}: {e.Message}");
        }

        if (running.Remove(spec.ActorId) && !stop.IsCancellationRequested)
        {
            await ReportAsync(state, spec.NodeId);
        }
    }

    /// <summary>
    /// Tells the head how the actor ended, retrying each heartbeat interval for as long as the node keeps the registration
    /// the actor ran under: the head holds the actor running until it hears, so a report given up while the node still
    /// heartbeats would leave the actor's driver waiting forever. Once the node lost the head, the head fails the actor itself.
    /// </summary>
    private async Task ReportAsync(ActorState state, string nodeId)
    {
        while (NodeId == nodeId)
        {
            try
            {
                await head.ActorExitedAsync(state, deadline: host.Clock.UtcNow + options.CallTimeout, cancellationToken: host.Lifetime);
                return;
            }
            catch (RpcException)
            {
                await host.Clock.Delay(options.HeartbeatInterval, host.Lifetime);
            }
        }
    }

    /// <summary>Only the party's head may start or stop actors here, and only for the registration this agent holds now.</summary>
    private void Admit(ActorSpec request, ServerCallContext context, string verb)
    {
        if (Caller(context) != options.Party)
        {
            throw new RpcException(new Status(StatusCode.PermissionDenied, $"only party {options.Party}'s head {verb} actors here"));
        }

        if (NodeId is null || request.NodeId != NodeId)
        {
            throw new RpcException(new Status(StatusCode.FailedPrecondition, $"actor {request.ActorId} is for node {request.NodeId}; this is {NodeId ?? "an unregistered node"}"));
        }
    }

    private static string? Caller(ServerCallContext context) =>
        context.AuthContext.FindPropertiesByName("x509_common_name").FirstOrDefault()?.Value;
}
