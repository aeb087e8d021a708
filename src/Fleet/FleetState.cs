using System.Text.Json;
using Sim.Stack.Fleet.Contracts;
using Sim.Stack.Host;

namespace Sim.Stack.Fleet;

/// <summary>A registered node: when it stops being online, and the interval it promised to ping within.</summary>
public sealed record NodeEntry(long NodeId, string KeyHex, DateTime OnlineUntil, double PingInterval);

/// <summary>
/// The coordinator's state: the registry (public key → node id, node id → entry), runs, and task
/// instructions and results per run. The in-memory backend keeps it in memory only; the durable backend
/// also writes every change to the simulated disk and flushes before answering, so it survives a restart.
/// Every change is committed with the event that reports it (<see cref="CommitAsync"/>).
/// </summary>
public sealed class FleetState
{
    private const string DiskKey = "fleet/state";

    private readonly IDisk? disk;

    private FleetState(IDisk? disk, ILog log)
    {
        this.disk = disk;
        Log = log;
    }

    private ILog Log { get; }

    public Dictionary<string, long> KeyToNode { get; private init; } = new(StringComparer.Ordinal);

    public Dictionary<long, NodeEntry> Nodes { get; private init; } = [];

    public Dictionary<long, string> Runs { get; private init; } = [];

    public Dictionary<long, List<TaskIns>> PendingTasks { get; private init; } = [];

    public Dictionary<string, TaskRes> Results { get; private init; } = new(StringComparer.Ordinal);

    public long NextNodeId { get; set; } = 1;

    public long NextRunId { get; set; } = 1;

    public bool Durable => disk is not null;

    public static FleetState InMemory(ILog log) => new(null, log);

    /// <summary>Loads the durable state from disk (empty on first start).</summary>
    public static FleetState OnDisk(IDisk disk, ILog log)
    {
        var state = new FleetState(disk, log);
        if (disk.Read(DiskKey) is { } bytes)
        {
            var snapshot = JsonSerializer.Deserialize<Snapshot>(bytes)!;
            foreach (var (k, v) in snapshot.KeyToNode)
            {
                state.KeyToNode[k] = v;
            }

            foreach (var n in snapshot.Nodes)
            {
                state.Nodes[n.NodeId] = n;
            }

            foreach (var (k, v) in snapshot.Runs)
            {
                state.Runs[k] = v;
            }

            foreach (var t in snapshot.PendingTasks)
            {
                var task = TaskIns.Parser.ParseFrom(Convert.FromBase64String(t));
                state.Pending(task.NodeId).Add(task);
            }

            foreach (var r in snapshot.Results)
            {
                var result = TaskRes.Parser.ParseFrom(Convert.FromBase64String(r));
                state.Results[result.TaskId] = result;
            }

            state.NextNodeId = snapshot.NextNodeId;
            state.NextRunId = snapshot.NextRunId;
        }

        return state;
    }

    public List<TaskIns> Pending(long nodeId)
    {
        if (!PendingTasks.TryGetValue(nodeId, out var list))
        {
            list = [];
            PendingTasks[nodeId] = list;
        }

        return list;
    }

    /// <summary>Removes the task instructions queued for a node (a node that leaves or is reclaimed); returns their ids.</summary>
    public IReadOnlyList<string> DropPending(long nodeId) =>
        PendingTasks.Remove(nodeId, out var dropped) ? [.. dropped.Select(t => t.TaskId)] : [];

    /// <summary>
    /// Reports <paramref name="change"/> (already made in memory) and, on the durable backend, writes the state
    /// and flushes it. A caller that goes away does not abort a commit: once made, a change is made durable.
    /// </summary>
    public async Task CommitAsync(FleetChange change)
    {
        Log.Event(change);
        if (disk is null)
        {
            return;
        }

        var snapshot = new Snapshot(
            new Dictionary<string, long>(KeyToNode, StringComparer.Ordinal),
            [.. Nodes.Values.OrderBy(n => n.NodeId)],
            new Dictionary<long, string>(Runs),
            [.. PendingTasks.OrderBy(p => p.Key).SelectMany(p => p.Value).Select(t => Convert.ToBase64String(Google.Protobuf.MessageExtensions.ToByteArray(t)))],
            [.. Results.Values.OrderBy(r => r.TaskId, StringComparer.Ordinal).Select(r => Convert.ToBase64String(Google.Protobuf.MessageExtensions.ToByteArray(r)))],
            NextNodeId,
            NextRunId);
        disk.Write(DiskKey, JsonSerializer.SerializeToUtf8Bytes(snapshot));
        await disk.FlushAsync(CancellationToken.None);
    }

    private sealed record Snapshot(
        Dictionary<string, long> KeyToNode,
        List<NodeEntry> Nodes,
        Dictionary<long, string> Runs,
        List<string> PendingTasks,
        List<string> Results,
        long NextNodeId,
        long NextRunId);
}
