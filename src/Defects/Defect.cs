namespace Sim.Stack.Defects;

/// <summary>
/// A named switch that restores the behaviour of a real historical bug. The stack declares it and knows
/// nothing of the scenarios: the scenarios whose invariants judge it claim it by name.
/// </summary>
/// <param name="Name">The switch's name, as given to <c>--defect</c>.</param>
/// <param name="Description">What the switch restores.</param>
/// <param name="Origin">Where the bug comes from.</param>
public sealed record Defect(string Name, string Description, string Origin);
