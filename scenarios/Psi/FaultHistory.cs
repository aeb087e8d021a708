using Sim.Worlds;

namespace Sim.Scenarios.Psi;

/// <summary>Every fault applied so far (drawn, scripted, undone, healed), with its time: what explains a failure.</summary>
public sealed class FaultHistory
{
    private readonly List<(TimeSpan At, FaultAction Fault)> applied = [];

    public FaultHistory(ScenarioContext context) => context.On<FaultAction>((f, at) => applied.Add((at.Time, f)));

    /// <summary>The faults applied in [<paramref name="from"/>, <paramref name="to"/>] that touch the processes or machines named.</summary>
    public IEnumerable<FaultAction> Between(TimeSpan from, TimeSpan to, Func<FaultAction, bool>? touches = null) =>
        applied.Where(a => a.At >= from && a.At <= to && (touches?.Invoke(a.Fault) ?? true)).Select(a => a.Fault);

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
