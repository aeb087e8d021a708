using Sim.Engine;
using Sim.Engine.Coyote;
using Sim.Scenarios;
using Sim.Stack.Defects;

namespace Sim.Testing;

/// <summary>
/// Exploration from a unit test, in a line:
/// <code>
/// var outcome = Explore.WithCoyote("register", defect: "ack-before-flush", iterations: 20);
/// Assert.True(outcome.IsBug, outcome.Summary());
/// </code>
/// </summary>
public static class Explore
{
    /// <summary>Explores a scenario (by name, or an instance) under Coyote.</summary>
    public static CoyoteOutcome WithCoyote(string scenario, string? defect = null, string strategy = "random", uint iterations = 50, ulong seed = 1, uint? strategyBound = null) =>
        WithCoyote(Find(scenario), defect, strategy, iterations, seed, strategyBound);

    public static CoyoteOutcome WithCoyote(Scenario scenario, string? defect = null, string strategy = "random", uint iterations = 50, ulong seed = 1, uint? strategyBound = null) =>
        CoyoteEngine.Explore(scenario, Config(scenario, defect, strategy, seed), new CoyoteOptions(strategy, iterations, StrategyBound: strategyBound));

    /// <summary>Explores a scenario under the loop engine, seeds <paramref name="seed"/> onwards.</summary>
    public static ExploreOutcome WithLoop(string scenario, string? defect = null, string strategy = "random", int iterations = 100, ulong seed = 1) =>
        new Explorer(Find(scenario), Config(Find(scenario), defect, strategy, seed)).Run(iterations, _ => { });

    /// <summary>One line saying what was found.</summary>
    public static string Summary(this CoyoteOutcome outcome) =>
        outcome.Violation is { } v ? $"bug at iteration {outcome.Iterations}: {v.Invariant}: {v.Message}"
        : outcome.TestbedError is { } e ? $"testbed defect: {e}"
        : $"nothing found in {outcome.Iterations} iterations";

    private static Scenario Find(string name) =>
        ScenarioCatalog.Find(name) ?? throw new ArgumentException($"unknown scenario '{name}'");

    private static RunConfig Config(Scenario scenario, string? defect, string strategy, ulong seed) =>
        new(scenario.Name, seed, strategy, defect is null ? DefectSet.None : new DefectSet([defect]));
}
