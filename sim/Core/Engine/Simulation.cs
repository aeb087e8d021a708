using System.Diagnostics;
using Sim.Scenarios;
using Sim.Worlds;

namespace Sim.Engine;

/// <summary>Runs one scenario once under the loop engine.</summary>
public static class Simulation
{
    public static RunResult Run(Scenario scenario, RunConfig config)
    {
#pragma warning disable RS0030 // the run's wall time is measured, not simulated
        var started = Stopwatch.GetTimestamp();
#pragma warning restore RS0030
        var strategy = CreateStrategy(config, Rng.Stream(config.Seed, "schedule"));
        var runtime = new LoopRuntime(strategy);
        var harness = Harness.Build(scenario, config, runtime, "loop", strategy.Name);
        var world = harness.World;
        var exit = runtime.Run(harness.Context.Horizon, harness.Context.MaxSteps, () => world.Violation is not null, harness.CheckSafety);
        harness.Finish(exit, runtime.UncontrolledConcurrency, runtime.Step);
#pragma warning disable RS0030 // the run's wall time is measured, not simulated
        var wall = Stopwatch.GetElapsedTime(started);
#pragma warning restore RS0030
        return new RunResult(config, world.Violation, world.Events.Hash, runtime.Step, world.Now, exit, world.Events, wall, harness.Nemesis.FaultsInjected, harness.Context.AccountLines()) { Faults = harness.Nemesis.Profile };
    }

    public static ISchedulingStrategy CreateStrategy(RunConfig config, Rng rng) => config.Strategy switch
    {
        "random" => new RandomStrategy(rng),
        "pct" => new PctStrategy(rng, config.PctDepth, 100_000),
        _ => throw new ArgumentException($"unknown strategy '{config.Strategy}' (known: {string.Join(", ", RunConfig.Strategies)})"),
    };
}
