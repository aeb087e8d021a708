using System.Globalization;
using Grpc.Core;
using Sim.Stack.Cluster.Contracts;
using Sim.Stack.Host;
using Sim.Stack.Rpc;

namespace Sim.Stack.Cluster;

/// <summary>
/// A party's head (Ray's GCS): the node table with health checks by heartbeat, the actor table, the scheduler, and
/// the forwarding proxies that make an actor's advertised ports follow its placement. Its tables live in memory: a
/// restarted head knows no node and no actor (node agents register again; drivers find their actors unknown).
/// </summary>
public sealed class ClusterHeadServer : ClusterHead.ClusterHeadBase
{
    /// <summary>The error kind of an actor its driver killed.</summary>
    public const string KilledKind = "killed";

    private readonly IHost host;
    private readonly ClusterOptions options;
    private readonly IReadOnlyDictionary<int, ForwardedPort> forwardable;
    private readonly Dictionary<string, NodeEntry> nodes = new(StringComparer.Ordinal);
    private readonly Dictionary<string, ActorRecord> actors = new(StringComparer.Ordinal);
    private readonly Dictionary<string, RpcChannel> channels = new(StringComparer.Ordinal);
    private int nextNode = 1;

    private ClusterHeadServer(IHost host, ClusterOptions options, IReadOnlyDictionary<int, ForwardedPort> forwardable)
    {
        this.host = host;
        this.options = options;
        this.forwardable = forwardable;
    }

    public IReadOnlyCollection<NodeEntry> Nodes => nodes.Values;

    /// <summary>The proxies open now: actor id → target.</summary>
    public IReadOnlyDictionary<string, string> Proxies => actors.Where(a => a.Value.Proxy is not null).ToDictionary(a => a.Key, a => a.Value.Proxy!.Target, StringComparer.Ordinal);

    /// <summary>
    /// The process entry point: serve the control port and watch the nodes' heartbeats. <paramref name="forwardable"/>
    /// names, per port an actor may expose, the methods the head's proxy forwards on it and the TLS it serves them with.
    /// </summary>
    public static ClusterHeadServer Start(IHost host, ClusterOptions options, IReadOnlyDictionary<int, ForwardedPort> forwardable)
    {
        var head = new ClusterHeadServer(host, options, forwardable);
        var server = new RpcServer(host, options.HeadAddress, options.HeadPort, options.ServerTls);
        server.AddService(ClusterHead.BindService(head));
        server.Start();
        host.Log.Event(new HeadServing(options.Party, options.HeadAddress, options.HeadPort));
        host.Spawn("health-check", head.MonitorAsync);
        return head;
    }

    public override Task<NodeRegistration> RegisterNode(NodeInfo request, ServerCallContext context)
    {
        Authorize(context);
        var registration = (request.Incarnation, request.Session);
        var mine = nodes.Values.Where(n => n.Machine == request.Machine).ToList();
        if (mine.FirstOrDefault(n => n.Alive && n.Registration == registration) is { } known)
        {
            // A retry whose first reply was lost: the node this registration already has (as Ray's GCS answers a node
            // it knows), not a new one that would declare it dead.
            return Task.FromResult(new NodeRegistration { NodeId = known.NodeId });
        }

        if (mine.FirstOrDefault(n => n.Registration.CompareTo(registration) > 0) is { } newer)
        {
            // A request delivered late (held in a partition, say), after the agent had registered again or restarted:
            // taking it in would declare the agent's current node dead.
            throw new RpcException(new Status(StatusCode.FailedPrecondition,
                $"registration {request.Incarnation}.{request.Session} of {request.Machine} is older than {newer.NodeId}'s ({newer.Registration.Incarnation}.{newer.Registration.Session})"));
        }

        foreach (var stale in mine.Where(n => n.Alive))
        {
            // The machine's agent restarted: its old incarnation and that incarnation's actors are gone.
            DeclareDead(stale, $"its agent registered again (incarnation {request.Incarnation})");
        }
        // Ids never repeat across head incarnations (Ray's are unique): a node still heartbeating an id of the old head must not pass for the new head's node of that id.
        var id = $"node{nextNode++.ToString(CultureInfo.InvariantCulture)}-h{host.Incarnation.ToString(CultureInfo.InvariantCulture)}";
        nodes[id] = new NodeEntry(id, request.Machine, request.Address, request.Port, request.Cpus, host.Clock.Elapsed) { Registration = registration };
        host.Log.Event(new NodeRegistered(options.Party, id, request.Machine, request.Address, request.Cpus));
        return Task.FromResult(new NodeRegistration { NodeId = id });
    }

    public override Task<HeartbeatReply> Heartbeat(HeartbeatRequest request, ServerCallContext context)
    {
        Authorize(context);
        if (nodes.TryGetValue(request.NodeId, out var node) && node.Alive)
        {
            node.LastSeen = host.Clock.Elapsed;
            return Task.FromResult(new HeartbeatReply { Known = true });
        }

        return Task.FromResult(new HeartbeatReply { Known = false });
    }

    public override Task<ActorState> CreateActor(ActorSpec request, ServerCallContext context)
    {
        Authorize(context);
        if (!actors.TryGetValue(request.ActorId, out var actor))
        {
            actors[request.ActorId] = actor = new ActorRecord(request);
            host.Log.Event(new ActorCreated(options.Party, request.ActorId, request.NumCpus));
            host.Spawn($"place:{request.ActorId}", _ => PlaceAsync(actor));
        }

        return Task.FromResult(actor.State.Clone());
    }

    public override async Task<ActorState> WaitActor(ActorQuery request, ServerCallContext context)
    {
        Authorize(context);
        if (!actors.TryGetValue(request.ActorId, out var actor))
        {
            throw new RpcException(new Status(StatusCode.NotFound, $"the head of {options.Party} knows no actor {request.ActorId} (it restarted since it was created)"));
        }

        if (actor.State.Phase == request.Seen)
        {
            // One call timeout at most, then the current state: the driver asks again, and a head that answers is alive.
            await actor.Changed.WaitAsync(host, options.CallTimeout, context.CancellationToken);
        }

        return actor.State.Clone();
    }

    public override Task<Ack> ActorExited(ActorState request, ServerCallContext context)
    {
        Authorize(context);
        if (actors.TryGetValue(request.ActorId, out var actor) && actor.State.Phase is ActorPhase.Pending or ActorPhase.Running && actor.State.Machine == request.Machine && actor.NodeId is not null)
        {
            End(actor, request.Phase == ActorPhase.Failed, request.ErrorKind, request.Cause, request.Result);
        }

        return Task.FromResult(new Ack());
    }

    public override async Task<Ack> KillActor(ActorQuery request, ServerCallContext context)
    {
        Authorize(context);
        if (!actors.TryGetValue(request.ActorId, out var actor))
        {
            // Not taken in yet: a create still on its way (queued while the head was paused) must not start it.
            actors[request.ActorId] = actor = new ActorRecord(new ActorSpec { ActorId = request.ActorId });
            (actor.State.Phase, actor.State.ErrorKind, actor.State.Cause) = (ActorPhase.Failed, KilledKind, "killed by its driver before the head took it in");
            actor.Kill = Task.CompletedTask;
            host.Log.Event(new ActorKilled(options.Party, request.ActorId, "unknown", "", true));
        }

        // One kill per actor; a driver that asks again (its call timed out) waits for the same one.
        await (actor.Kill ??= KillAsync(actor));
        return new Ack();
    }

    /// <summary>Ends a pending or running actor as killed (its slots and proxy freed at once) and stops it on its node.</summary>
    private async Task KillAsync(ActorRecord actor)
    {
        var was = actor.State.Phase.ToString().ToLowerInvariant();
        if (actor.State.Phase is not (ActorPhase.Pending or ActorPhase.Running))
        {
            host.Log.Event(new ActorKilled(options.Party, actor.Spec.ActorId, was, actor.State.Machine, true));
            return;
        }

        var node = actor.NodeId is { } id ? nodes.GetValueOrDefault(id) : null;
        End(actor, true, KilledKind, "killed by its driver", null);
        var stopped = node is null || await StopOnAsync(actor.Spec, node);
        host.Log.Event(new ActorKilled(options.Party, actor.Spec.ActorId, was, node?.Machine ?? "", stopped));
    }

    /// <summary>Tells the actor's node to stop it, each health-check tick until the node answers or is declared dead.</summary>
    private async Task<bool> StopOnAsync(ActorSpec actor, NodeEntry node)
    {
        var spec = new ActorSpec { ActorId = actor.ActorId, ActorClass = actor.ActorClass, NodeId = node.NodeId };
        var agent = new Contracts.NodeAgent.NodeAgentClient(Channel(node));
        while (node.Alive)
        {
            try
            {
                await agent.StopActorAsync(spec, deadline: host.Clock.UtcNow + options.CallTimeout, cancellationToken: host.Lifetime);
                return true;
            }
            catch (RpcException e) when (e.StatusCode == StatusCode.FailedPrecondition)
            {
                // The agent holds another registration now: it stopped every actor of the old one before registering again.
                return true;
            }
            catch (RpcException)
            {
                await host.Clock.Delay(options.HeartbeatInterval, host.Lifetime);
            }
        }

        // Declared dead: its agent stops its actors when it hears the head no longer knows it.
        return false;
    }

    private async Task MonitorAsync(CancellationToken lifetime)
    {
        while (!lifetime.IsCancellationRequested)
        {
            await host.Clock.Delay(options.HeartbeatInterval, lifetime);
            foreach (var node in nodes.Values.Where(n => n.Alive && host.Clock.Elapsed - n.LastSeen > options.NodeTimeout).ToList())
            {
                DeclareDead(node, $"no heartbeat for {(host.Clock.Elapsed - node.LastSeen).TotalMilliseconds:F0} ms");
            }
        }
    }

    private void DeclareDead(NodeEntry node, string why)
    {
        node.Alive = false;
        host.Log.Event(new NodeDeclaredDead(options.Party, node.NodeId, node.Machine, host.Clock.Elapsed - node.LastSeen));
        foreach (var actor in actors.Values.Where(a => a.NodeId == node.NodeId && a.State.Phase is ActorPhase.Pending or ActorPhase.Running).ToList())
        {
            End(actor, true, "node-died", $"the node on {node.Machine} died ({why})", null);
        }
    }

    /// <summary>Places the actor on a live node with free CPU slots, retrying each heartbeat interval until the placement timeout.</summary>
    private async Task PlaceAsync(ActorRecord actor)
    {
        var until = host.Clock.Elapsed + options.PlacementTimeout;
        while (actor.State.Phase == ActorPhase.Pending)
        {
            var node = Scheduler.Choose(nodes.Values, actor.Spec.NumCpus, actor.Spec.AvoidMachines, host.Random.Next);
            if (node is not null && await StartOnAsync(actor, node))
            {
                return;
            }

            if (host.Clock.Elapsed >= until)
            {
                End(actor, true, "unschedulable", $"no live node of {options.Party} with {actor.Spec.NumCpus} free CPU slot(s) within {options.PlacementTimeout.TotalSeconds:F1} s", null);
                return;
            }

            await host.Clock.Delay(options.HeartbeatInterval, host.Lifetime);
        }
    }

    private async Task<bool> StartOnAsync(ActorRecord actor, NodeEntry node)
    {
        var cpus = actor.Spec.NumCpus;
        var free = node.Free;
        node.Used += cpus;
        actor.NodeId = node.NodeId;
        actor.State.Machine = node.Machine;
        var proxied = node.Address != options.HeadAddress && actor.Spec.ExposedPorts.Count > 0;
        host.Log.Event(new ActorPlaced(options.Party, actor.Spec.ActorId, node.NodeId, node.Machine, cpus, free, proxied));
        if (proxied)
        {
            // Open before the actor starts, so the peer's first dial of the advertised address already reaches it.
            OpenProxy(actor, node);
        }

        var spec = actor.Spec.Clone();
        spec.NodeId = node.NodeId;
        var agent = new Contracts.NodeAgent.NodeAgentClient(Channel(node));
        while (actor.State.Phase == ActorPhase.Pending)
        {
            try
            {
                await agent.StartActorAsync(spec, deadline: host.Clock.UtcNow + options.CallTimeout, cancellationToken: host.Lifetime);
                break;
            }
            catch (RpcException e) when (e.StatusCode is StatusCode.FailedPrecondition or StatusCode.PermissionDenied)
            {
                // The node says it did not start the actor (it is not, or no longer, this node): place it elsewhere.
                if (actor.State.Phase == ActorPhase.Pending && actor.NodeId == node.NodeId)
                {
                    node.Used -= cpus;
                    actor.NodeId = null;
                    CloseProxy(actor);
                    host.Log.Event(new ActorUnplaced(options.Party, actor.Spec.ActorId, node.NodeId, node.Machine, $"{e.StatusCode}: {e.Status.Detail}"));
                }

                return false;
            }
            catch (RpcException)
            {
                // The reply may be lost while the node runs the actor: never place one attempt twice. Ask the same
                // node again (StartActor is idempotent) until it answers or the health check declares it dead.
                await host.Clock.Delay(options.HeartbeatInterval, host.Lifetime);
            }
        }

        if (actor.State.Phase == ActorPhase.Pending)
        {
            actor.State.Phase = ActorPhase.Running;
            actor.Changed.Signal();
        }

        return true;
    }

    private void OpenProxy(ActorRecord actor, NodeEntry node)
    {
        // One exposed port per actor is what PSI needs (its link); a second would need a second proxy.
        var port = actor.Spec.ExposedPorts[0];
        if (!forwardable.TryGetValue(port, out var forwarded))
        {
            host.Log.Warn("cluster.proxy-failed", $"{actor.Spec.ActorId}: port {port} is not one the head forwards");
            return;
        }

        try
        {
            actor.Proxy = ForwardingProxy.Start(host, options.HeadAddress, port, forwarded.Tls, node.Address, port, options.DialTls, forwarded.Methods);
            host.Log.Event(new ProxyChanged(options.Party, actor.Spec.ActorId, $"{options.HeadAddress}:{port}", $"{node.Address}:{port}", true));
        }
        catch (NetworkException e)
        {
            host.Log.Warn("cluster.proxy-failed", $"{actor.Spec.ActorId}: {e.Message}");
        }
    }

    private void End(ActorRecord actor, bool failed, string kind, string cause, Google.Protobuf.ByteString? result)
    {
        if (actor.NodeId is { } id && nodes.TryGetValue(id, out var node))
        {
            node.Used -= actor.Spec.NumCpus;
        }

        CloseProxy(actor);
        actor.State.Phase = failed ? ActorPhase.Failed : ActorPhase.Finished;
        actor.State.ErrorKind = failed ? kind : "";
        actor.State.Cause = failed ? cause : "";
        actor.State.Result = result ?? Google.Protobuf.ByteString.Empty;
        host.Log.Event(new ActorEnded(options.Party, actor.Spec.ActorId, actor.State.Machine, failed, kind, cause));
        actor.Changed.Signal();
    }

    private void CloseProxy(ActorRecord actor)
    {
        if (actor.Proxy is { } proxy)
        {
            proxy.Dispose();
            actor.Proxy = null;
            host.Log.Event(new ProxyChanged(options.Party, actor.Spec.ActorId, $"{options.HeadAddress}:{actor.Spec.ExposedPorts[0]}", proxy.Target, false));
        }
    }

    private RpcChannel Channel(NodeEntry node) =>
        channels.TryGetValue(node.Address, out var channel) ? channel : channels[node.Address] = new RpcChannel(host, node.Address, node.Port, options.DialTls);

    private void Authorize(ServerCallContext context)
    {
        var caller = context.AuthContext.FindPropertiesByName("x509_common_name").FirstOrDefault()?.Value;
        if (caller != options.Party)
        {
            throw new RpcException(new Status(StatusCode.PermissionDenied, $"'{caller ?? "anonymous"}' is not a member of party {options.Party}'s cluster"));
        }
    }

    private sealed class ActorRecord(ActorSpec spec)
    {
        public ActorSpec Spec { get; } = spec;

        public ActorState State { get; } = new() { ActorId = spec.ActorId, Phase = ActorPhase.Pending };

        public string? NodeId { get; set; }

        public ForwardingProxy? Proxy { get; set; }

        /// <summary>The driver's kill, once asked for.</summary>
        public Task? Kill { get; set; }

        public ChangeSignal Changed { get; } = new();
    }
}
