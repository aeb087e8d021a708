using Sim.Engine;
using Sim.Scenarios;
using Sim.Stack.Defects;

namespace Sim.Bench;

/// <summary>One search for a planted defect: an engine and strategy from a starting seed, within an iteration budget.</summary>
/// <param name="Seed">Loop: the first seed run (then seed+1, ...). Coyote: Coyote's random seed.</param>
/// <param name="Iterations">Iterations until the defect was found, or the whole budget when it was not.</param>
/// <param name="Invariant">The invariant that caught it, when found.</param>
/// <param name="TestbedError">Set when the engine reported a problem of the testbed instead of a violation.</param>
public sealed record DefectHunt(string Defect, string Scenario, string Engine, string Strategy, ulong Seed, int Budget, bool Found, long Iterations, TimeSpan Wall, string? Invariant, string? TestbedError = null)
{
    /// <summary>Plants <paramref name="defect"/> in its scenario for <paramref name="engine"/> (<see cref="ScenarioCatalog.HomeOf(string, string)"/>) and searches with it.</summary>
    public static DefectHunt Run(Defect defect, string engine, string strategy, ulong seed, int budget)
    {
        var scenario = ScenarioCatalog.HomeOf(defect.Name, engine)
            ?? throw new InvalidOperationException($"defect {defect.Name} is claimed by no scenario");
        var searcher = Engines.Find(engine) ?? throw new ArgumentException($"unknown engine '{engine}' (known: {string.Join(", ", Engines.Names)})", nameof(engine));
        var config = new RunConfig(scenario.Name, seed, strategy, new DefectSet([defect.Name]), KeepEventLog: false);
        var outcome = searcher.Explore(scenario, config, EngineSettings.Default, new ExploreBudget(budget));
        return new DefectHunt(defect.Name, scenario.Name, engine, strategy, seed, budget, outcome.Violation is not null, outcome.Iterations, outcome.WallTime, outcome.Violation?.Invariant, outcome.TestbedError);
    }
}
