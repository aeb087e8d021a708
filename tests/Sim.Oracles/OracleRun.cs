using Sim.Engine;
using Sim.Stack.Defects;

namespace Sim.Oracles;

/// <summary>Runs one oracle case under the loop engine and says what the first violation was, if any.</summary>
public static class OracleRun
{
    /// <summary>
    /// Runs the case's seeds (times <paramref name="scale"/>) until one violates an invariant. Returns null when
    /// every run held, else one paragraph: the case, the seed, the invariant and its message, and the command
    /// that replays the run.
    /// </summary>
    public static string? FirstViolation(OracleCase oracle, DefectSet defects, int scale = 1)
    {
        var scenario = oracle.Build();
        var config = new RunConfig(oracle.Scenario, 1, oracle.Strategy, defects, oracle.FaultProfile);
        var outcome = new Explorer(scenario, config).Run(oracle.Seeds * scale, _ => { });
        if (outcome.Bug is not { Violation: { } violation } bug)
        {
            return null;
        }

        var variant = oracle.Variant.Length == 0 ? "" : $" (variant {oracle.Variant}: run it from a test)";
        return $"{oracle.Id} seed {bug.Config.Seed} after {outcome.Iterations} run(s): {violation.Invariant}: {violation.Message}\n"
            + $"  at virtual time {violation.Time.TotalSeconds:F6}s, step {violation.Step}, hash {bug.Hash}\n"
            + $"  replay: {bug.ReplayCommand}{variant}";
    }
}
