using System.Diagnostics;
using Sim.Scenarios;

namespace Sim.Engine;

/// <summary>Runs seed after seed of one scenario under the loop engine until a bug or the budget.</summary>
public sealed class Explorer(Scenario scenario, RunConfig config)
{
    /// <summary>Runs up to <paramref name="iterations"/> seeds from the config's seed on.</summary>
    public ExploreOutcome Run(int iterations, Action<RunResult> afterEach, TimeSpan? budget = null)
    {
#pragma warning disable RS0030 // wall time of the exploration is measured, not simulated
        var started = Stopwatch.GetTimestamp();
        for (var i = 0; i < iterations; i++)
        {
            if (budget is { } limit && i > 0 && Stopwatch.GetElapsedTime(started) > limit)
            {
                return new ExploreOutcome(i, null, Stopwatch.GetElapsedTime(started));
            }

            var result = Simulation.Run(scenario, config with { Seed = config.Seed + (ulong)i, KeepEventLog = false });
            afterEach(result);
            if (result.IsBug)
            {
                return new ExploreOutcome(i + 1, result, Stopwatch.GetElapsedTime(started));
            }
        }

        return new ExploreOutcome(iterations, null, Stopwatch.GetElapsedTime(started));
#pragma warning restore RS0030
    }
}

/// <summary>How an exploration ended: after how many runs, and the first bug if any.</summary>
public sealed record ExploreOutcome(int Iterations, RunResult? Bug, TimeSpan WallTime);
