using Grpc.Core;
using Sim.Stack.Buggify;
using Sim.Stack.Defects;
using Sim.Stack.Fleet.Contracts;
using Sim.Stack.Host;
using Sim.Stack.Rpc;

namespace Sim.Stack.Fleet;

/// <summary>How a node runs.</summary>
/// <param name="Coordinator">The coordinator's name (dialled with server-name verification).</param>
/// <param name="Port">The coordinator's port.</param>
/// <param name="Tls">TLS settings for the coordinator.</param>
/// <param name="Credentials">The node's key pair (the same across restarts).</param>
/// <param name="PingInterval">The interval the node promises to ping within (upstream 30 s).</param>
/// <param name="CallTimeout">Deadline of a ping (upstream 5 s).</param>
/// <param name="PullInterval">Time between two task pulls.</param>
/// <param name="Defects">The defect switches on for this run.</param>
public sealed record NodeOptions(
    string Coordinator,
    int Port,
    TlsClientOptions Tls,
    NodeCredentials Credentials,
    TimeSpan PingInterval,
    TimeSpan CallTimeout,
    TimeSpan PullInterval,
    DefectSet Defects);

/// <summary>
/// A Flower-style node (SuperNode): registers with CreateNode, pings on a jittered schedule, pulls task
/// instructions, computes and pushes results, reconnects with backoff when calls fail, and sends
/// DeleteNode when asked to stop.
/// </summary>
public sealed class FleetNode
{
    private readonly IHost host;
    private readonly NodeOptions options;
    private readonly Contracts.Fleet.FleetClient fleet;

    private FleetNode(IHost host, NodeOptions options)
    {
        this.host = host;
        this.options = options;
        fleet = new Contracts.Fleet.FleetClient(new RpcChannel(host, options.Coordinator, options.Port, options.Tls));
    }

    /// <summary>The id the coordinator gave this incarnation (0 until registered).</summary>
    public long NodeId { get; private set; }

    public bool PingLoopAlive { get; private set; } = true;

    public string? PingLoopDeath { get; private set; }

    public int TasksDone { get; private set; }

    public static FleetNode Start(IHost host, NodeOptions options)
    {
        var node = new FleetNode(host, options);
        host.Spawn("fleet-node", node.RunAsync);
        return node;
    }

    private async Task RunAsync(CancellationToken lifetime)
    {
        await RegisterAsync(lifetime);
        host.Spawn("ping-loop", PingLoopAsync);
        try
        {
            while (!lifetime.IsCancellationRequested)
            {
                await host.Clock.Delay(options.PullInterval, lifetime);
                await PullAndExecuteAsync(lifetime);
            }
        }
        catch (OperationCanceledException) when (lifetime.IsCancellationRequested)
        {
            // Asked to stop: leave gracefully.
            try
            {
                await fleet.DeleteNodeAsync(new DeleteNodeRequest { Node = new Node { NodeId = NodeId } }, Auth(), Deadline());
                host.Log.Event(new NodeLeft(NodeId, StatusCode.OK, ""));
            }
            catch (RpcException e)
            {
                host.Log.Event(new NodeLeft(NodeId, e.StatusCode, e.Status.Detail));
            }
        }
    }

    private async Task RegisterAsync(CancellationToken lifetime)
    {
        var backoff = TimeSpan.FromMilliseconds(200);
        while (true)
        {
            try
            {
                var response = await fleet.CreateNodeAsync(new CreateNodeRequest { PingInterval = options.PingInterval.TotalSeconds }, Auth(), Deadline(), lifetime);
                NodeId = response.Node.NodeId;
                host.Log.Event(new NodeRegistered(NodeId));
                return;
            }
            catch (RpcException e) when (!lifetime.IsCancellationRequested)
            {
                host.Log.Event(new CreateNodeRejected(e.StatusCode, e.Status.Detail));
                await host.Clock.Delay(backoff, lifetime);
                backoff = TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, TimeSpan.FromSeconds(5).Ticks));
            }
        }
    }

    private async Task PingLoopAsync(CancellationToken lifetime)
    {
        while (!lifetime.IsCancellationRequested)
        {
            // Upstream: next ping after (interval − timeout) × (0.8 ± 0.1).
            var factor = 0.7 + (host.Random.NextDouble() * 0.2);
            if (host.Buggify(BuggifyCatalogue.PingFiresEarly))
            {
                factor = 0.7;
            }

            await host.Clock.Delay((options.PingInterval - options.CallTimeout) * factor, lifetime);
            PingResponse response;
            try
            {
                response = await fleet.PingAsync(new PingRequest { Node = new Node { NodeId = NodeId }, PingInterval = options.PingInterval.TotalSeconds }, Auth(), Deadline(options.CallTimeout), lifetime);
            }
            catch (RpcException e)
            {
                host.Log.Event(new PingFailed(e.StatusCode));
                continue;
            }

            if (response.Success)
            {
                continue;
            }

            if (options.Defects.IsOn(DefectCatalogue.StaleNodeMapping))
            {
                // 1.14: a ping answered with success=false is fatal for the ping loop.
                PingLoopAlive = false;
                PingLoopDeath = "Ping failed unexpectedly";
                host.Log.Event(new PingLoopDied(NodeId, PingLoopDeath));
                return;
            }

            host.Log.Event(new NodeForgotten(NodeId));
            await RegisterAsync(lifetime);
        }
    }

    private async Task PullAndExecuteAsync(CancellationToken lifetime)
    {
        PullTaskInsResponse tasks;
        try
        {
            tasks = await fleet.PullTaskInsAsync(new PullTaskInsRequest { Node = new Node { NodeId = NodeId } }, Auth(), Deadline(), lifetime);
        }
        catch (RpcException e) when (!lifetime.IsCancellationRequested)
        {
            host.Log.Event(new NodeCallFailed("PullTaskIns", e.StatusCode, e.Status.Detail));
            return;
        }

        if (tasks.TaskInsList.Count == 0)
        {
            return;
        }

        host.Log.Event(new WorkReceived(tasks.TaskInsList.Count));
        var results = new PushTaskResRequest();
        foreach (var task in tasks.TaskInsList)
        {
            results.TaskResList.Add(new TaskRes { TaskId = task.TaskId, RunId = task.RunId, NodeId = NodeId, Result = Execute(task) });
        }

        TasksDone += tasks.TaskInsList.Count;
        try
        {
            await fleet.PushTaskResAsync(results, Auth(), Deadline(), lifetime);
        }
        catch (RpcException e) when (!lifetime.IsCancellationRequested)
        {
            host.Log.Event(new NodeCallFailed("PushTaskRes", e.StatusCode, e.Status.Detail));
        }
    }

    /// <summary>The deterministic computation a task asks for.</summary>
    public static long Execute(TaskIns task) => task.Operation switch
    {
        "sum-of-squares" => task.Inputs.Sum(x => x * x),
        "max" => task.Inputs.Count == 0 ? 0 : task.Inputs.Max(),
        _ => task.Inputs.Sum(),
    };

    private Metadata Auth() => options.Credentials.Sign(host.Clock.UtcNow);

    private DateTime Deadline(TimeSpan? timeout = null) => host.Clock.UtcNow + (timeout ?? TimeSpan.FromSeconds(2));
}
