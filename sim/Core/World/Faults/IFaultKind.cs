namespace Sim.Worlds;

/// <summary>
/// A family of faults the injector draws at random (TigerBeetle's per-family options): its documented knobs
/// with units, checked on entry; how it draws targets and durations from its own stream of the run; the
/// <see cref="FaultAction"/> it produces (the records scripts use too); how the quiet point heals what it
/// left; and how swarm testing draws its knobs. A new kind is one class plus one line in
/// <see cref="FaultKinds.All"/>.
/// </summary>
public interface IFaultKind
{
    /// <summary>The kind's name, as profiles and descriptions print it: <c>kill</c>, <c>disk-stall</c>.</summary>
    string Name { get; }

    /// <summary>What one fault of this kind does.</summary>
    string Description { get; }

    /// <summary>Faults per virtual minute: a Poisson process from the start to the quiet point; 0 is off.</summary>
    double PerMinute { get; }

    /// <summary>Throws <see cref="ArgumentException"/> naming the kind and the knob when a knob is out of range.</summary>
    void Validate();

    /// <summary>Draws one fault against the world as it is now (targets and durations from <paramref name="rng"/>); null when nothing can be hit.</summary>
    FaultAction? Draw(World world, Rng rng);

    /// <summary>The actions that undo what faults of this family left in the world, whoever applied them (run at the quiet point).</summary>
    IEnumerable<FaultAction> Heal(World world);

    /// <summary>This kind with its rate and knobs drawn for one swarm-testing run.</summary>
    IFaultKind Swarm(Rng rng);

    /// <summary>The rate and knobs on one line: <c>kill 6/min restart-after 1-5s</c>.</summary>
    string Describe();
}
