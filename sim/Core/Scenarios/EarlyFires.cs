using Sim.Worlds;

namespace Sim.Scenarios;

/// <summary>
/// Where the Coyote engine's clock fired a timer ahead of runnable work (<see cref="TimerFiredEarly"/>), per process:
/// the spans of virtual time over which a process's ready work was held back. A call checker asks it whether a
/// deadline that passed was the schedule's doing — work of a process on the call's path held back while the call was
/// in flight — and excuses exactly those deadlines, never other failures. Under the loop engine it stays empty.
/// </summary>
public sealed class EarlyFires
{
    private readonly Dictionary<string, List<(TimeSpan From, TimeSpan To)>> held = new(StringComparer.Ordinal);

    public EarlyFires(ScenarioContext context)
    {
        context.On<TimerFiredEarly>((e, at) =>
        {
            if (!held.TryGetValue(at.Subject, out var spans))
            {
                held[at.Subject] = spans = [];
            }

            spans.Add((at.Time, e.Due));
        });
    }

    /// <summary>Whether the clock held back runnable work of one of <paramref name="processes"/> at some point of [from, to].</summary>
    public bool HeldBack(TimeSpan from, TimeSpan to, params IEnumerable<string> processes) =>
        processes.Any(p => held.TryGetValue(p, out var spans) && spans.Any(s => s.From <= to && s.To >= from));
}
