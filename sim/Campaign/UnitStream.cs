namespace Sim.Campaign;

/// <summary>
/// One stream of units: a scenario under one fault profile, engine and strategy, with or without a
/// planted defect. Its units take seeds base, base + 1, ... (see <see cref="SeedBase"/>).
/// </summary>
/// <param name="Scenario">The scenario's name.</param>
/// <param name="Profile">A built-in fault profile, or null for the scenario's own.</param>
/// <param name="Engine"><c>loop</c> or <c>coyote</c>.</param>
/// <param name="Strategy">The engine's strategy.</param>
/// <param name="Bound">Coyote's strategy bound, if set.</param>
/// <param name="Defects">The defects planted (sorted).</param>
/// <param name="Iterations">How many units; null: as many as the wall budget allows.</param>
/// <param name="Weight">Units per round (see <see cref="UnitEnumeration"/>).</param>
public sealed record UnitStream(string Scenario, string? Profile, string Engine, string Strategy, uint? Bound, IReadOnlyList<string> Defects, int? Iterations, int Weight = 1)
{
    public bool Planted => Defects.Count > 0;

    /// <summary>Streams are equal when they run the same thing (the defect lists compared item by item).</summary>
    public bool Equals(UnitStream? other) =>
        other is not null && Scenario == other.Scenario && Profile == other.Profile && Engine == other.Engine && Strategy == other.Strategy
        && Bound == other.Bound && Iterations == other.Iterations && Weight == other.Weight && Defects.SequenceEqual(other.Defects);

    public override int GetHashCode() => HashCode.Combine(Scenario, Profile, Engine, Strategy, Bound, Iterations, Weight, string.Join(",", Defects));
}
