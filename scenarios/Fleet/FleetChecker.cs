using Grpc.Core;
using Sim.Stack.Fleet;

namespace Sim.Scenarios.Fleet;

/// <summary>
/// Uniqueness and liveness of the registry. Uniqueness (safety, after every step): every key → id mapping points at a
/// live registry entry, and no key holds two entries; a node that said goodbye (DeleteNode answered OK) leaves no entry
/// for its key behind, unless one of its own registrations failed in transport (the coordinator may have made it).
/// Liveness: a node's ping loop never dies while its process lives; every running node is offered work within two
/// ping intervals after the network heals (the driver pushes to every online node each second; a node one of whose
/// registrations was lost in transport gets one ping interval more, the life of the entry it never heard of, and its
/// longest backoff), and is online by the model's clock at the horizon (it kept its ping promise once faults stopped).
/// Accounting of the account's counts: a node's tasks done in its incarnation, whether its ping loop is alive, and the
/// coordinator's rejections since its start match the events.
/// </summary>
public sealed class FleetChecker
{
    public const string MappingPointsAtLiveEntry = "key-mapping-points-at-live-entry";
    public const string OneRegistrationPerKey = "one-registration-per-key";
    public const string LeftNodeStaysGone = "a-node-that-left-stays-gone";
    public const string PingLoopNeverDies = "ping-loop-never-dies";
    public const string RestartedNodeGetsWork = "restarted-node-offered-work-within-two-ping-intervals";
    public const string RunningNodeOnline = "running-node-online-at-the-horizon";
    public const string CountsAddUp = "account-counts-add-up";

    private readonly Dictionary<string, List<TimeSpan>> workTimes = new(StringComparer.Ordinal);
    private readonly HashSet<string> unsureRegistration = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> tasksDone = new(StringComparer.Ordinal);
    private readonly HashSet<string> pingLoopDead = new(StringComparer.Ordinal);
    private int rejections;

    public FleetChecker(ScenarioContext context, FleetTopology fleet, FleetModel model)
    {
        var coordinator = fleet.Coordinator;
        context.Always(MappingPointsAtLiveEntry, () => coordinator.Last is { } c
            && c.State.KeyToNode.FirstOrDefault(m => !c.State.Nodes.ContainsKey(m.Value)) is { Key: not null } stale
                ? $"public key {stale.Key[..12]} maps to node {stale.Value}, which has no registry entry"
                : null);
        context.Always(OneRegistrationPerKey, () => coordinator.Last is { } c
            && c.State.Nodes.Values.GroupBy(n => n.KeyHex, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1) is { } twice
                ? $"public key {twice.Key[..12]} holds nodes {string.Join(", ", twice.Select(n => n.NodeId))}"
                : null);
        context.On<Sim.Worlds.ProcessStarted>((_, at) =>
        {
            unsureRegistration.Remove(at.Subject);
            pingLoopDead.Remove(at.Subject);
            tasksDone[at.Subject] = 0;
            rejections = at.Subject == coordinator.Name ? 0 : rejections;
        });
        context.On<AuthRejected>((_, at) => rejections += at.Subject == coordinator.Name ? 1 : 0);
        context.On<WorkReceived>((e, at) => tasksDone[at.Subject] = tasksDone.GetValueOrDefault(at.Subject) + e.Tasks.Count);
        context.On<NodeCallFailed>((e, at) => tasksDone[at.Subject] = tasksDone.GetValueOrDefault(at.Subject) - (e.Call == "GetRun" ? e.Lost.Count : 0));
        context.Eventually(CountsAddUp, () => CountsDiffer(fleet));
        context.Eventually(RunningNodeOnline, () =>
            fleet.Nodes.FirstOrDefault(n => n.Current is not null && !model.State.KeyToNode.TryGetValue(fleet.Keys[n.Name], out _)) is { } unregistered
                ? $"{unregistered.Name} runs, but at the horizon (quiet since {context.EffectiveQuietAt.TotalSeconds}s) its key holds no node"
                : fleet.Nodes.FirstOrDefault(n => n.Current is not null && !model.IsOnline(model.State.KeyToNode[fleet.Keys[n.Name]])) is { } offline
                    ? $"{offline.Name} runs, but at the horizon (quiet since {context.EffectiveQuietAt.TotalSeconds}s) the model counts node {model.State.KeyToNode[fleet.Keys[offline.Name]]} offline: it did not ping within its interval"
                    : null);
        context.On<CreateNodeRejected>((e, at) =>
        {
            if (e.Status is not (StatusCode.FailedPrecondition or StatusCode.Unauthenticated))
            {
                unsureRegistration.Add(at.Subject);
            }
        });
        context.On<NodeLeft>((e, at) =>
        {
            if (e.Status == StatusCode.OK && fleet.Keys.TryGetValue(at.Subject, out var key) && !unsureRegistration.Contains(at.Subject)
                && model.Coordinator.Current is not null && model.State.KeyToNode.TryGetValue(key, out var left))
            {
                context.Fail(LeftNodeStaysGone, $"{at.Subject} said goodbye as node {e.Node} and was answered OK, but its key still holds node {left}: a registered node nobody runs");
            }
        });
        context.On<PingLoopDied>((_, at) => pingLoopDead.Add(at.Subject));
        context.On<PingLoopDied>((e, at) => context.Fail(PingLoopNeverDies, $"{at.Subject} (node {e.Node}) is running but its ping loop died: {e.Reason}"));
        context.On<WorkReceived>((_, at) => (workTimes.TryGetValue(at.Subject, out var times) ? times : workTimes[at.Subject] = []).Add(at.Time));
        if (fleet.Driver is null)
        {
            return;
        }

        context.Eventually(RestartedNodeGetsWork, () =>
        {
            var quiet = context.EffectiveQuietAt;
            return fleet.Nodes.FirstOrDefault(n => n.IsUp && !workTimes.GetValueOrDefault(n.Name, []).Any(t => t >= quiet && t <= quiet + Bound(n.Name))) is { } idle
                ? $"{idle.Name} was not offered work within {Bound(idle.Name).TotalSeconds}s (two ping intervals{(unsureRegistration.Contains(idle.Name) ? ", plus the life of a registration it never heard of and its longest backoff" : "")}) after the network healed at {quiet.TotalSeconds}s"
                : null;

            // A CreateNode whose answer was lost may have registered the key: it is refused until that entry goes offline
            // (one ping interval), then retried after its backoff (5 s at most).
            TimeSpan Bound(string node) => (2 * fleet.PingInterval) + (unsureRegistration.Contains(node) ? fleet.PingInterval + PacingChecker.MaxBackoff : TimeSpan.Zero);
        });
    }

    /// <summary>What the account prints against what the events say: tasks done per node incarnation, rejections per coordinator start.</summary>
    private string? CountsDiffer(FleetTopology fleet)
    {
        if (fleet.Nodes.FirstOrDefault(n => n.Current is { } node && node.TasksDone != tasksDone.GetValueOrDefault(n.Name)) is { } node)
        {
            return $"{node.Name} says it did {node.Current!.TasksDone} task(s) in this incarnation; it received {tasksDone.GetValueOrDefault(node.Name)} it could run";
        }

        if (fleet.Nodes.FirstOrDefault(n => n.Current is { } node && node.PingLoopAlive == pingLoopDead.Contains(n.Name)) is { } pinger)
        {
            return $"{pinger.Name} says its ping loop is {(pinger.Current!.PingLoopAlive ? "alive" : "dead")}; in this incarnation it {(pingLoopDead.Contains(pinger.Name) ? "reported it died" : "never reported it died")}";
        }

        return fleet.Coordinator.Current is { } c && c.Rejections != rejections ? $"{fleet.Coordinator.Name} counts {c.Rejections} rejection(s) since its start; it reported {rejections}" : null;
    }
}
