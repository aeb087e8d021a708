namespace Sim.Stack.Defects;

/// <summary>A named switch that restores the behaviour of a real historical bug.</summary>
/// <param name="Name">The switch's name, as given to <c>--defect</c>.</param>
/// <param name="Scenario">The scenario whose invariants must catch it.</param>
/// <param name="Description">What the switch restores.</param>
/// <param name="Origin">Where the bug comes from.</param>
public sealed record Defect(string Name, string Scenario, string Description, string Origin);
