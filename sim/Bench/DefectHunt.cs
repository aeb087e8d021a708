using Sim.Engine;
using Sim.Engine.Coyote;
using Sim.Scenarios;
using Sim.Stack.Defects;

namespace Sim.Bench;

/// <summary>One search for a planted defect: an engine and strategy from a starting seed, within an iteration budget.</summary>
/// <param name="Seed">Loop: the first seed run (then seed+1, ...). Coyote: Coyote's random seed.</param>
/// <param name="Iterations">Iterations until the defect was found, or the whole budget when it was not.</param>
/// <param name="Invariant">The invariant that caught it, when found.</param>
/// <param name="TestbedError">Set when Coyote reported a problem of the testbed instead of a violation.</param>
public sealed record DefectHunt(string Defect, string Scenario, string Engine, string Strategy, ulong Seed, int Budget, bool Found, long Iterations, TimeSpan Wall, string? Invariant, string? TestbedError = null)
{
    /// <summary>Plants <paramref name="defect"/> in its scenario and searches with the loop engine or Coyote.</summary>
    public static DefectHunt Run(Defect defect, string engine, string strategy, ulong seed, int budget)
    {
        var scenario = ScenarioCatalog.HomeOf(defect.Name)
            ?? throw new InvalidOperationException($"defect {defect.Name} is claimed by no scenario");
        var config = new RunConfig(scenario.Name, seed, strategy, new DefectSet([defect.Name]));
        switch (engine)
        {
            case "loop":
                var loop = new Explorer(scenario, config).Run(budget, _ => { });
                return new DefectHunt(defect.Name, scenario.Name, engine, strategy, seed, budget, loop.Bug is not null, loop.Iterations, loop.WallTime, loop.Bug?.Violation?.Invariant);
            case "coyote":
                var coyote = CoyoteEngine.Explore(scenario, config, new CoyoteOptions(strategy, (uint)budget));
                return new DefectHunt(defect.Name, scenario.Name, engine, strategy, seed, budget, coyote.Violation is not null, coyote.Iterations, coyote.WallTime, coyote.Violation?.Invariant, coyote.TestbedError);
            default:
                throw new ArgumentException($"unknown engine '{engine}' (known: loop, coyote)");
        }
    }
}
