using Sim.Stack.Fleet;
using Sim.Worlds;

namespace Sim.Scenarios.Fleet;

/// <summary>
/// Eligibility: every decision the coordinator reports is held against the model's state before it and the model's
/// own clock (virtual time plus the coordinator machine's skew), never the coordinator's view. Work is queued only for
/// nodes online now and refused only for the others; it is handed out only to the key that holds the node, all of it;
/// results are stored only from the holder's key; pings and deletes act only for the holder; a key is registered only
/// when no entry holds it, refused only while an online entry does, reclaimed only from an offline one; GetNodes lists
/// exactly the online nodes; an honest node is registered with the ping interval it promises; a push or a delivery
/// reported as a change carries a result (an empty one is a call or a write that had no cause). On the node side, a node
/// is told it is unknown only when its key does not hold its id.
/// </summary>
public sealed class EligibilityChecker
{
    public const string DecisionsFollowTheModel = "decisions-follow-the-model";

    private readonly ScenarioContext context;
    private readonly FleetModel model;
    private readonly FleetTopology fleet;

    public EligibilityChecker(ScenarioContext context, FleetTopology fleet, FleetModel model)
    {
        this.context = context;
        this.model = model;
        this.fleet = fleet;
        var coordinator = fleet.Coordinator.Name;
        void From<T>(Func<T, string?> judge)
            where T : Stack.Host.SimEvent =>
            context.On<T>((e, at) =>
            {
                if (at.Subject == coordinator && model.Coordinator.Current is not null && judge(e) is { } why)
                {
                    context.Fail(DecisionsFollowTheModel, $"{e.Kind} ({e.Details}): {why}");
                }
            });

        From<NodeCreated>(Created);
        From<CreateNodeRefused>(e => model.State.KeyToNode.TryGetValue(e.Key, out var held) && held == e.HeldBy && model.IsOnline(held) ? null : $"the model has no online node {e.HeldBy} for that key");
        From<NodeReclaimed>(e => Holder(e.Node, e.Key) ?? (model.IsOnline(e.Node) ? $"node {e.Node} is online until {Until(e.Node)}" : null) ?? SameTasks(e.Node, e.Dropped));
        From<NodeDeleted>(e => Holder(e.Node, e.Key) ?? SameTasks(e.Node, e.Dropped));
        From<DeleteNodeIgnored>(e => model.Owner(e.Node) == e.Key ? "the key holds that node: its delete must be honoured" : null);
        From<NodePinged>(e => Holder(e.Node, e.Key) ?? Renewed(e.Interval, e.OnlineUntil));
        From<UnknownNodePinged>(e => model.Owner(e.Node) == e.Key ? "the key holds that node: its ping must be honoured" : null);
        From<TasksQueued>(Queued);
        From<TasksHandedOut>(e => Holder(e.Node, e.Key) ?? (model.IsOnline(e.Node) ? null : $"node {e.Node} is offline since {Until(e.Node)}") ?? SameTasks(e.Node, e.Tasks));
        From<ResultsStored>(e => e.Stored.FirstOrDefault(r => model.Owner(r.Node) != e.Key) is { } foreign ? $"stored {foreign}, but the pusher's key does not hold node {foreign.Node}"
            : e.Ignored.FirstOrDefault(r => model.Owner(r.Node) == e.Key) is { } own ? $"ignored {own}, but the pusher's key holds node {own.Node}"
            : e.Stored.Count + e.Ignored.Count == 0 ? "a push with no result in it: a node pushes only results it has" : null);
        From<ResultsDelivered>(e => e.Tasks.FirstOrDefault(t => !model.State.Results.ContainsKey(t)) is { } unknown ? $"{unknown} has no stored result"
            : e.Tasks.Count == 0 ? "a delivery of nothing is not a change" : null);
        From<NodesListed>(e => e.Nodes.SequenceEqual(model.Online) ? null : $"the model's online nodes are [{string.Join(',', model.Online)}]");
        context.On<NodeForgotten>((e, at) =>
        {
            if (fleet.Keys.TryGetValue(at.Subject, out var key) && model.Coordinator.Current is not null && model.Owner(e.Node) == key)
            {
                context.Fail(DecisionsFollowTheModel, $"{at.Subject} was told node {e.Node} is unknown, but its key holds node {e.Node}");
            }
        });
    }

    private DateTime Now => model.CoordinatorNow;

    private string Until(long node) => model.State.Nodes.TryGetValue(node, out var entry) ? $"{entry.OnlineUntil:HH:mm:ss.fff} (now {Now:HH:mm:ss.fff})" : "-";

    /// <summary>Why the key does not hold the node, or null when it does.</summary>
    private string? Holder(long node, string key) => model.Owner(node) switch
    {
        null => $"the model has no node {node}",
        var owner when owner != key => $"node {node} belongs to key {owner[..12]}, not to the caller's",
        _ => null,
    };

    private string? SameTasks(long node, IReadOnlyList<string> tasks) =>
        model.State.PendingFor(node).SequenceEqual(tasks, StringComparer.Ordinal) ? null : $"the model has [{string.Join(',', model.State.PendingFor(node))}] queued for node {node}";

    private string? Renewed(double interval, DateTime until) =>
        until == Now + TimeSpan.FromSeconds(interval) ? null : $"online until {until:HH:mm:ss.fff}, the model's clock says {Now + TimeSpan.FromSeconds(interval):HH:mm:ss.fff}";

    private string? Created(NodeCreated e)
    {
        if (model.State.KeyToNode.TryGetValue(e.Key, out var held))
        {
            return $"the key still holds node {held}";
        }

        if (model.State.Nodes.ContainsKey(e.Node) || e.Node != model.State.NextNodeId)
        {
            return $"node id {e.Node} is not the next fresh id {model.State.NextNodeId}";
        }

        if (fleet.NodeOf(e.Key) is { } honest && e.Interval != fleet.PingInterval.TotalSeconds)
        {
            return $"{honest.Name} promises to ping every {fleet.PingInterval.TotalSeconds}s, but it was registered with an interval of {e.Interval}s";
        }

        return Renewed(e.Interval, e.OnlineUntil);
    }

    private string? Queued(TasksQueued e)
    {
        if (e.Accepted.FirstOrDefault(t => !model.IsOnline(t.Node)) is { } offline)
        {
            return $"queued {offline}, but node {offline.Node} is {(model.State.Nodes.ContainsKey(offline.Node) ? $"offline since {Until(offline.Node)}" : "not registered")}";
        }

        return e.Refused.FirstOrDefault(t => model.IsOnline(t.Node)) is { } online ? $"refused {online}, but node {online.Node} is online until {Until(online.Node)}" : null;
    }
}
