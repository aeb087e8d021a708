using Sim.Stack.Fleet;

namespace Sim.Scenarios.Fleet;

/// <summary>
/// What the coordinator's state should be: the registry, the tasks queued per node, the results not yet delivered
/// and the runs, as <see cref="FleetModel"/> derives them from the coordinator's reported changes.
/// </summary>
public sealed class ModelState
{
    public Dictionary<long, NodeEntry> Nodes { get; private init; } = [];

    public Dictionary<string, long> KeyToNode { get; private init; } = new(StringComparer.Ordinal);

    public Dictionary<long, List<string>> Pending { get; private init; } = [];

    /// <summary>Results stored and not yet delivered: task → the node that produced it.</summary>
    public Dictionary<string, long> Results { get; private init; } = new(StringComparer.Ordinal);

    public Dictionary<long, string> Runs { get; private init; } = [];

    public long NextNodeId { get; set; } = 1;

    public long NextRunId { get; set; } = 1;

    public IReadOnlyList<string> PendingFor(long node) => Pending.TryGetValue(node, out var tasks) ? tasks : [];

    public ModelState Clone() => new()
    {
        Nodes = new(Nodes),
        KeyToNode = new(KeyToNode, StringComparer.Ordinal),
        Pending = Pending.ToDictionary(p => p.Key, p => p.Value.ToList()),
        Results = new(Results, StringComparer.Ordinal),
        Runs = new(Runs),
        NextNodeId = NextNodeId,
        NextRunId = NextRunId,
    };

    /// <summary>The first way <paramref name="state"/> differs from this model, or null when it matches.</summary>
    public string? Difference(FleetState state)
    {
        if (state.NextNodeId != NextNodeId || state.NextRunId != NextRunId)
        {
            return $"next node id {state.NextNodeId} and run id {state.NextRunId}, the model says {NextNodeId} and {NextRunId}";
        }

        if (state.Nodes.Count != Nodes.Count || state.Nodes.Values.Any(n => !Nodes.TryGetValue(n.NodeId, out var m) || m != n))
        {
            return $"registry {Registry(state.Nodes.Values)}, the model {Registry(Nodes.Values)}";
        }

        if (state.KeyToNode.Count != KeyToNode.Count || state.KeyToNode.Any(k => !KeyToNode.TryGetValue(k.Key, out var id) || id != k.Value))
        {
            return $"key mapping {Mapping(state.KeyToNode)}, the model {Mapping(KeyToNode)}";
        }

        var queued = state.PendingTasks.Where(p => p.Value.Count > 0).ToDictionary(p => p.Key, p => p.Value.Select(t => t.TaskId).ToList());
        if (queued.Count != Pending.Count(p => p.Value.Count > 0) || queued.Any(p => !PendingFor(p.Key).SequenceEqual(p.Value, StringComparer.Ordinal)))
        {
            return $"tasks queued {Queues(queued)}, the model {Queues(Pending)}";
        }

        if (state.Results.Count != Results.Count || state.Results.Values.Any(r => !Results.TryGetValue(r.TaskId, out var n) || n != r.NodeId))
        {
            return $"results held {string.Join(',', state.Results.Values.Select(r => $"{r.TaskId}@{r.NodeId}").Order(StringComparer.Ordinal))}, the model {string.Join(',', Results.Select(r => $"{r.Key}@{r.Value}").Order(StringComparer.Ordinal))}";
        }

        if (state.Runs.Count != Runs.Count || state.Runs.Any(r => !Runs.TryGetValue(r.Key, out var fab) || fab != r.Value))
        {
            return $"runs {string.Join(", ", state.Runs.Select(r => $"{r.Key}={r.Value}"))}, the model {string.Join(", ", Runs.Select(r => $"{r.Key}={r.Value}"))}";
        }

        return null;
    }

    private static string Registry(IEnumerable<NodeEntry> nodes) =>
        "{" + string.Join("; ", nodes.OrderBy(n => n.NodeId).Select(n => $"node {n.NodeId}: key {n.KeyHex[..12]}, online until {n.OnlineUntil:HH:mm:ss.fffffff}, interval {n.PingInterval}s")) + "}";

    private static string Mapping(IReadOnlyDictionary<string, long> mapping) =>
        "{" + string.Join(", ", mapping.OrderBy(k => k.Value).Select(k => $"{k.Key[..12]}→{k.Value}")) + "}";

    private static string Queues(Dictionary<long, List<string>> queues) =>
        "{" + string.Join("; ", queues.Where(q => q.Value.Count > 0).OrderBy(q => q.Key).Select(q => $"{q.Key}: {string.Join(',', q.Value)}")) + "}";
}
