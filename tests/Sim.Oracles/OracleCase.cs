using Sim.Scenarios;
using Sim.Worlds;

namespace Sim.Oracles;

/// <summary>
/// One cell of the oracle suite: a scenario (a catalogue entry or a variant of one) under one fault profile
/// and one scheduling strategy, run on seeds 1..<see cref="Seeds"/>.
/// </summary>
/// <param name="Scenario">The scenario's catalogue name.</param>
/// <param name="Variant">A variant's name (<c>durable</c>), or empty for the catalogue's own instance.</param>
/// <param name="Profile"><c>default</c> (the scenario's own profile) or a built-in profile's name.</param>
/// <param name="Strategy">The loop engine's strategy: <c>random</c> or <c>pct</c>.</param>
/// <param name="Seeds">How many seeds, from 1, at scale 1.</param>
public sealed record OracleCase(string Scenario, string Variant, string Profile, string Strategy, int Seeds)
{
    /// <summary>The case's name in test output: <c>fleet-restart+durable/chaos/random</c>.</summary>
    public string Id => $"{Scenario}{(Variant.Length == 0 ? "" : "+" + Variant)}/{Profile}/{Strategy}";

    /// <summary>The fault profile replacing the scenario's own, or null for <c>default</c>.</summary>
    public FaultProfile? FaultProfile => Profile == "default" ? null
        : Worlds.FaultProfile.Builtin.SingleOrDefault(p => p.Name == Profile)
          ?? throw new ArgumentException($"oracle case {Id}: unknown fault profile '{Profile}' (known: default, {string.Join(", ", Worlds.FaultProfile.Builtin.Select(p => p.Name))})");

    /// <summary>The scenario instance to run.</summary>
    public Scenario Build() =>
        OracleBudgets.Variant(Scenario, Variant)
        ?? ScenarioCatalog.Find(Scenario)
        ?? throw new ArgumentException($"oracle case {Id}: unknown scenario '{Scenario}'");
}
