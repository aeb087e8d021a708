using Sim.Stack.Fleet;

namespace Sim.Scenarios.Fleet;

/// <summary>
/// The fleet's invariants (SCENARIOS.md section 1), over the coordinator's registry and the nodes' and probes'
/// typed events. Accounting (safety): every key → id mapping points at a live registry entry. Model (safety): a
/// node's ping loop never dies while its process lives. Security: a hostile node is never served. Liveness: every
/// node is offered work within two ping intervals after the network heals.
/// </summary>
public sealed class FleetChecker
{
    public const string MappingPointsAtLiveEntry = "key-mapping-points-at-live-entry";
    public const string PingLoopNeverDies = "ping-loop-never-dies";
    public const string HostileNeverServed = "hostile-node-rejected-and-never-served";
    public const string RestartedNodeGetsWork = "restarted-node-offered-work-within-two-ping-intervals";

    private readonly Dictionary<string, List<TimeSpan>> workTimes = new(StringComparer.Ordinal);

    public FleetChecker(ScenarioContext context, Live<Coordinator> coordinator, IReadOnlyList<Live<FleetNode>> nodes, TimeSpan pingInterval)
    {
        context.Always(MappingPointsAtLiveEntry, () => coordinator.Last is { } c
            && c.State.KeyToNode.FirstOrDefault(m => !c.State.Nodes.ContainsKey(m.Value)) is { Key: not null } stale
                ? $"public key {stale.Key[..12]} maps to node {stale.Value}, which has no registry entry"
                : null);
        context.On<PingLoopDied>((e, at) => context.Fail(PingLoopNeverDies, $"{at.Subject} (node {e.Node}) is running but its ping loop died: {e.Reason}"));
        context.On<HostileServed>((e, at) => context.Fail(HostileNeverServed, $"{at.Subject} was served a call: {e.What}"));
        context.On<WorkReceived>((_, at) => (workTimes.TryGetValue(at.Subject, out var times) ? times : workTimes[at.Subject] = []).Add(at.Time));
        context.Eventually(RestartedNodeGetsWork, () =>
        {
            var (quiet, bound) = (context.EffectiveQuietAt, context.EffectiveQuietAt + (2 * pingInterval));
            return nodes.FirstOrDefault(n => n.IsUp && !workTimes.GetValueOrDefault(n.Name, []).Any(t => t >= quiet && t <= bound)) is { } idle
                ? $"{idle.Name} was not offered work within two ping intervals ({2 * pingInterval.TotalSeconds}s) after the network healed at {quiet.TotalSeconds}s"
                : null;
        });
    }
}
