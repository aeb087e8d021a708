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
/// instructions, fetches each run's definition once (GetRun), computes and pushes results, reconnects with
/// backoff when calls fail, and on a graceful stop stops pinging, then sends DeleteNode for the id it holds.
/// </summary>
public sealed class FleetNode
{
    private readonly IHost host;
    private readonly NodeOptions options;
    private readonly Contracts.Fleet.FleetClient fleet;
    private readonly Dictionary<long, string> runs = [];
    private readonly TaskCompletionSource pingLoopEnded = new(TaskCreationOptions.RunContinuationsAsynchronously);

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
        if (!await RegisterAsync(lifetime))
        {
            return; // asked to stop before it ever registered
        }

        host.Spawn("ping-loop", PingLoopAsync);
        while (!lifetime.IsCancellationRequested)
        {
            try
            {
                await host.Clock.Delay(options.PullInterval, lifetime);
                await PullAndExecuteAsync(lifetime);
            }
            catch (OperationCanceledException) when (lifetime.IsCancellationRequested)
            {
                // Asked to stop: leave gracefully.
            }
        }

        await LeaveAsync();
    }

    /// <summary>
    /// Leaves gracefully: the ping loop stops at the same signal, and a registration it has in flight decides which
    /// id is this node's, so wait for it before saying goodbye for that id.
    /// </summary>
    private async Task LeaveAsync()
    {
        if (!options.Defects.IsOn(DefectCatalogue.LeaveBeforePingLoopStops))
        {
            await pingLoopEnded.Task;
        }

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

    /// <summary>Registers, backing off while CreateNode fails; false when asked to stop first.</summary>
    private async Task<bool> RegisterAsync(CancellationToken lifetime)
    {
        var backoff = TimeSpan.FromMilliseconds(200);
        while (!lifetime.IsCancellationRequested)
        {
            try
            {
                // Not cancelled by a stop: the coordinator may have registered us already, and leaving must delete what it registered.
                var response = await fleet.CreateNodeAsync(new CreateNodeRequest { PingInterval = options.PingInterval.TotalSeconds }, Auth(), Deadline());
                NodeId = response.Node.NodeId;
                host.Log.Event(new NodeRegistered(NodeId));
                return true;
            }
            catch (RpcException e)
            {
                host.Log.Event(new CreateNodeRejected(e.StatusCode, e.Status.Detail));
            }

            try
            {
                await host.Clock.Delay(backoff, lifetime);
            }
            catch (OperationCanceledException)
            {
                return false;
            }

            backoff = TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, TimeSpan.FromSeconds(5).Ticks));
        }

        return false;
    }

    private async Task PingLoopAsync(CancellationToken lifetime)
    {
        try
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
                var response = await PingAsync(lifetime);
                if (response is null || response.Success)
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
        finally
        {
            pingLoopEnded.TrySetResult();
        }
    }

    /// <summary>One ping; null when it failed (logged unless the node is stopping).</summary>
    private async Task<PingResponse?> PingAsync(CancellationToken lifetime)
    {
        try
        {
            return await fleet.PingAsync(new PingRequest { Node = new Node { NodeId = NodeId }, PingInterval = options.PingInterval.TotalSeconds }, Auth(), Deadline(options.CallTimeout), lifetime);
        }
        catch (RpcException e)
        {
            if (!lifetime.IsCancellationRequested)
            {
                host.Log.Event(new PingFailed(e.StatusCode));
            }

            return null;
        }
    }

    /// <summary>Pulls the node's tasks (a stop cancels the pull); the work pulled is finished and pushed even while stopping.</summary>
    private async Task PullAndExecuteAsync(CancellationToken lifetime)
    {
        var id = NodeId;
        var tasks = await PullAsync(id, lifetime);
        if (tasks.Count == 0)
        {
            return;
        }

        host.Log.Event(new WorkReceived(id, [.. tasks.Select(t => t.TaskId)]));
        var fetched = new HashSet<long>();
        foreach (var run in tasks.Select(t => t.RunId).Distinct())
        {
            if (await FetchRunAsync(run, [.. tasks.Where(t => t.RunId == run).Select(t => t.TaskId)]))
            {
                fetched.Add(run);
            }
        }

        var results = new PushTaskResRequest();
        results.TaskResList.AddRange(tasks.Where(t => fetched.Contains(t.RunId)).Select(t => new TaskRes { TaskId = t.TaskId, RunId = t.RunId, NodeId = id, Result = Execute(t) }));
        TasksDone += results.TaskResList.Count;
        if (results.TaskResList.Count == 0)
        {
            return;
        }

        try
        {
            await fleet.PushTaskResAsync(results, Auth(), Deadline());
        }
        catch (RpcException e)
        {
            host.Log.Event(new NodeCallFailed("PushTaskRes", e.StatusCode, e.Status.Detail, [.. results.TaskResList.Select(r => r.TaskId)]));
        }
    }

    /// <summary>The tasks queued for node <paramref name="id"/>; none when the pull failed.</summary>
    private async Task<IReadOnlyList<TaskIns>> PullAsync(long id, CancellationToken lifetime)
    {
        try
        {
            return (await fleet.PullTaskInsAsync(new PullTaskInsRequest { Node = new Node { NodeId = id } }, Auth(), Deadline(), lifetime)).TaskInsList;
        }
        catch (RpcException e)
        {
            if (!lifetime.IsCancellationRequested)
            {
                host.Log.Event(new NodeCallFailed("PullTaskIns", e.StatusCode, e.Status.Detail, []));
            }

            return [];
        }
    }

    /// <summary>Fetches a run's definition the first time one of its tasks arrives; false when GetRun failed (its tasks are dropped, and said so).</summary>
    private async Task<bool> FetchRunAsync(long run, IReadOnlyList<string> tasks)
    {
        if (runs.ContainsKey(run))
        {
            return true;
        }

        try
        {
            var fetched = await fleet.GetRunAsync(new GetRunRequest { RunId = run }, Auth(), Deadline());
            runs[run] = fetched.Fab;
            host.Log.Event(new RunFetched(fetched.RunId, fetched.Fab));
            return true;
        }
        catch (RpcException e)
        {
            host.Log.Event(new NodeCallFailed("GetRun", e.StatusCode, e.Status.Detail, tasks));
            return false;
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
