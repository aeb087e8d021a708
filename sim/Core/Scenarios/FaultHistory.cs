using Sim.Worlds;

namespace Sim.Scenarios;

/// <summary>Every fault applied so far (drawn, scripted, undone, healed), with its time: what explains a failure.</summary>
public sealed class FaultHistory
{
    private readonly List<(TimeSpan At, FaultAction Fault)> applied = [];

    public FaultHistory(ScenarioContext context) => context.On<FaultAction>((f, at) => applied.Add((at.Time, f)));

    /// <summary>The faults applied in [<paramref name="from"/>, <paramref name="to"/>] that touch the processes or machines named.</summary>
    public IEnumerable<FaultAction> Between(TimeSpan from, TimeSpan to, Func<FaultAction, bool>? touches = null) =>
        applied.Where(a => a.At >= from && a.At <= to && (touches?.Invoke(a.Fault) ?? true)).Select(a => a.Fault);

    /// <summary>
    /// The faults applied in [<paramref name="from"/>, <paramref name="to"/>], and the lasting ones applied before that
    /// were still in effect at <paramref name="from"/> (a pause not yet resumed, a process not yet started again, a slowdown,
    /// clog, stall or swizzle within its time, a partition not yet healed, a clock skew), that touch the processes or machines named.
    /// </summary>
    public IEnumerable<FaultAction> Striking(TimeSpan from, TimeSpan to, Func<FaultAction, bool>? touches = null) =>
        applied.Where(a => a.At <= to && (a.At >= from || InEffect(a, from)) && (touches?.Invoke(a.Fault) ?? true)).Select(a => a.Fault);

    private bool InEffect((TimeSpan At, FaultAction Fault) fault, TimeSpan at)
    {
        var later = applied.Where(a => a.At >= fault.At && a.At <= at).Select(a => a.Fault);
        return fault.Fault switch
        {
            FaultAction.Pause p => !later.Any(f => f is FaultAction.Resume r && r.Process == p.Process),
            FaultAction.Kill k => !later.Any(f => Starts(f, k.Process)),
            FaultAction.Stop s => !later.Any(f => Starts(f, s.Process)),
            FaultAction.SlowDown d => fault.At + d.For > at && !later.Any(f => f is FaultAction.SpeedUp u && u.Process == d.Process),
            FaultAction.StallDisk d => fault.At + d.For > at && !later.Any(f => f is FaultAction.UnstallDisk u && u.Process == d.Process),
            FaultAction.Clog c => fault.At + c.For > at,
            FaultAction.Swizzle w => fault.At + w.For > at,
            FaultAction.Partition p => !later.Any(f => f is FaultAction.HealNetwork || (f is FaultAction.Heal h && h.From.SequenceEqual(p.From) && h.To.SequenceEqual(p.To))),
            FaultAction.Skew => true,
            _ => false,
        };

        static bool Starts(FaultAction f, string process) => f is FaultAction.Start s && s.Process == process || f is FaultAction.Restart r && r.Process == process;
    }

    /// <summary>Whether <paramref name="fault"/> touches one of <paramref name="processes"/> or <paramref name="machines"/> (an unknown kind counts as touching).</summary>
    public static bool Touches(FaultAction fault, IReadOnlyCollection<string> processes, IReadOnlyCollection<string> machines) => fault switch
    {
        FaultAction.Kill k => processes.Contains(k.Process),
        FaultAction.Start s => processes.Contains(s.Process),
        FaultAction.Restart r => processes.Contains(r.Process),
        FaultAction.Pause p => processes.Contains(p.Process),
        FaultAction.Resume r => processes.Contains(r.Process),
        FaultAction.ExpireTls t => processes.Contains(t.Process),
        FaultAction.Partition p => p.From.Concat(p.To).Any(machines.Contains),
        FaultAction.Clog c => machines.Contains(c.From) || machines.Contains(c.To),
        _ => true,
    };
}
