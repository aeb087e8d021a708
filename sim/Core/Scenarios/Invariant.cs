namespace Sim.Scenarios;

/// <summary>A named check. Returns null when the property holds, else what was seen.</summary>
/// <param name="Name">The invariant's name, as bug reports give it.</param>
/// <param name="Check">The check.</param>
public sealed record Invariant(string Name, Func<string?> Check);
