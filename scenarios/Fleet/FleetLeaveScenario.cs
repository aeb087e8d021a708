using Sim.Stack.Defects;
using Sim.Stack.Fleet;
using Sim.Worlds;

namespace Sim.Scenarios.Fleet;

/// <summary>
/// The focused fleet race, for Coyote: a coordinator, two nodes and a driver, no random faults, one coordinator
/// restart and one graceful node stop at chosen points. The in-memory coordinator restarts empty; node0's next ping is
/// answered success=false and its ping loop registers again, and the stop lands a few milliseconds (drawn per seed,
/// within a network round trip) after that: the goodbye races the re-registration in flight. About a hundred calls in
/// 8 virtual seconds. It claims leave-before-ping-loop-stops only: pull-trusts-node-id needs the driver to push to a
/// reissued id before the old holder's next ping, which this script never lines up (0 of 300 loop seeds, random and
/// pct, and 0 of 10 Coyote seeds × 20 iterations found it here on 2026-11-30), so Coyote searches for it in
/// fleet-restart, its home.
/// </summary>
/// <remarks>
/// Invariants: the same classes and checkers as <see cref="FleetRestartScenario"/> (see its remarks) but the probes
/// (no probing clients here): accounting (<see cref="TaskLedger"/>, <see cref="CallChecker"/> with failures naming their
/// cause, <see cref="NodeLogChecker"/>), eligibility (<see cref="EligibilityChecker"/>, <see cref="RunChecker"/>),
/// uniqueness (<see cref="FleetChecker"/>: <c>a-node-that-left-stays-gone</c>, and <see cref="LeaveChecker"/>:
/// <c>gracefully-stopped-node-is-forgotten</c>, are the ones this race threatens), security of honest calls
/// (<see cref="SecurityChecker"/>), resources (<see cref="ResourceChecker"/>, <see cref="PacingChecker"/>: the
/// re-registration after the restart backs off, pings stay paced) and the model (<see cref="ModelChecker"/>).
/// </remarks>
public sealed class FleetLeaveScenario : Scenario
{
    public override string Name => "fleet-leave";

    public override string Description => "coordinator + 2 nodes + driver: an in-memory restart, then node0 stops while its ping loop registers again (focused, for Coyote)";

    public override bool Focused => true;

    public override IReadOnlyList<string> Claims => [DefectCatalogue.LeaveBeforePingLoopStops];

    public override void Build(ScenarioContext context)
    {
        // Short: the race is over by 6 s; the quiet point only places the liveness window (two ping intervals before the horizon).
        context.Horizon = TimeSpan.FromSeconds(8);
        context.QuietAt = TimeSpan.FromSeconds(2);
        context.Faults(FaultProfile.None);
        var stopAfter = TimeSpan.FromMilliseconds(context.Workload.NextDouble() * 8);
        var fleet = FleetSetup.Build(context, 2, durable: false, driver: true, probers: false);
        var (coordinator, node) = (fleet.Coordinator, fleet.Nodes[0]);
        context.Script(async w =>
        {
            await w.At(TimeSpan.FromSeconds(1.5));
            w.Restart(coordinator);
            await w.Until<NodeForgotten>((_, at) => at.Subject == node.Name);
            await w.Delay(stopAfter);
            w.Stop(node, TimeSpan.FromSeconds(1));
            await w.Delay(TimeSpan.FromSeconds(1.5));
            w.Start(node);
        });
    }
}
