namespace Sim.Stack.Defects;

/// <summary>
/// A named switch that restores the behaviour of a real historical bug. The stack declares it and knows
/// nothing of the scenarios: the scenarios whose invariants judge it claim it by name.
/// </summary>
/// <param name="Name">The switch's name, as given to <c>--defect</c>.</param>
/// <param name="Description">What the switch restores.</param>
/// <param name="Origin">Where the bug comes from.</param>
/// <param name="Race">True for a deep defect: it shows only under a narrow interleaving or fault timing, so finding it
/// takes search (several seeds or schedules), not one run; false for one that any run reaching the code shows.</param>
public sealed record Defect(string Name, string Description, string Origin, bool Race = false);
