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

    /// <summary>The defects of the catalogue whose invariants live in this scenario.</summary>
    public IReadOnlyList<Defect> Defects => DefectCatalogue.All.Where(d => d.Scenario == Name).ToList();

    /// <summary>The assemblies whose code the scenario runs (they must be rewritten for the Coyote engine).</summary>
    public virtual IEnumerable<System.Reflection.Assembly> CodeAssemblies => [GetType().Assembly];

    /// <summary>Builds the topology, starts the workload and declares invariants and faults.</summary>
    public abstract void Build(ScenarioContext context);
}
