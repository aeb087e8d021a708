using Sim.Stack.Defects;

namespace Sim.Scenarios;

/// <summary>
/// What to run: a topology, a workload, a fault plan, invariants and a horizon. Built afresh for every
/// run from a <see cref="ScenarioContext"/>. A scenario never knows which defect is on: its invariants are
/// generic; the defect set is only handed to the stack it starts.
/// </summary>
public abstract class Scenario
{
    public abstract string Name { get; }

    public abstract string Description { get; }

    /// <summary>
    /// The names of the catalogue's defects this scenario's invariants judge: planted here, they must be found.
    /// The command line and the campaign plant a defect only in a scenario that claims it.
    /// </summary>
    public virtual IReadOnlyList<string> Claims => [];

    /// <summary>
    /// A focused scenario: a few processes, a handful of operations, one or two faults at chosen points, so that
    /// Coyote's systematic search spends its iterations on one race. Coyote searches for a defect in the first
    /// focused scenario that claims it (<see cref="ScenarioCatalog.HomeOf(string, string)"/>).
    /// </summary>
    public virtual bool Focused => false;

    /// <summary>The defects this scenario claims, as the catalogue describes them.</summary>
    public IReadOnlyList<Defect> Defects => [.. Claims.Select(name => DefectCatalogue.Find(name)
        ?? throw new InvalidOperationException($"scenario '{Name}' claims defect '{name}', which the catalogue does not have"))];

    /// <summary>The assemblies whose code the scenario runs (they must be rewritten for the Coyote engine).</summary>
    public virtual IEnumerable<System.Reflection.Assembly> CodeAssemblies => [GetType().Assembly];

    /// <summary>Builds the topology, starts the workload and declares invariants and faults.</summary>
    public abstract void Build(ScenarioContext context);
}
