namespace Sim.Campaign;

/// <summary>
/// The units still to hand out, in enumeration order, skipping those a resumed campaign finished; a unit whose worker
/// was terminated (SIGTERM) before it finished goes back to the front, since it is not a finding.
/// </summary>
public sealed class UnitFeed(IEnumerable<WorkUnit> units, IReadOnlySet<long> done) : IDisposable
{
    private readonly IEnumerator<WorkUnit> enumerator = units.Where(u => !done.Contains(u.Index)).GetEnumerator();
    private readonly Queue<WorkUnit> again = new();

    /// <summary>True once the enumeration ran out (the queue of units to run again may still hold some).</summary>
    public bool Exhausted { get; private set; }

    public bool IsEmpty => Exhausted && again.Count == 0;

    public bool TryNext(out WorkUnit unit)
    {
        if (again.TryDequeue(out unit!))
        {
            return true;
        }

        if (!Exhausted && enumerator.MoveNext())
        {
            unit = enumerator.Current;
            return true;
        }

        Exhausted = true;
        return false;
    }

    public void RunAgain(WorkUnit unit) => again.Enqueue(unit);

    public void Dispose() => enumerator.Dispose();
}
