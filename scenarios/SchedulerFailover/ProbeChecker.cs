using Sim.Worlds;

namespace Sim.Scenarios.SchedulerFailover;

/// <summary>
/// Security probes, both edges (safety): every probe of the intruder is answered as the rules say — reads and a valid
/// job allowed; forged holder ids, writes at the lease's epoch, one below and one above, lease grabs, other workers'
/// keys and unknown keys refused with PermissionDenied; invalid jobs refused as invalid. The epoch rule's own edges
/// are probed by the run itself: every deposed leader writes at a stale epoch (<see cref="FencingChecker"/>: never
/// accepted) and every leader at its own (never fenced).
/// </summary>
public sealed class ProbeChecker
{
    public const string Invariant = "security-probe-answered-as-the-rule-says";

    public ProbeChecker(ScenarioContext context)
    {
        context.On<ProbeAnswered>((e, at) =>
        {
            Answered++;
            if (e.Got != e.Expected)
            {
                context.Fail(Invariant, $"{at.Subject}'s probe '{e.Probe}' was answered {e.Got} ({e.Detail}); the rules say {e.Expected}");
            }
        });
    }

    public int Answered { get; private set; }
}
