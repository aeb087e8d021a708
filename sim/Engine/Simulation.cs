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
        var world = new World(config.Seed, runtime, new WorldOptions { KeepEventLog = config.KeepEventLog });
        var context = new ScenarioContext(world, config.Defects, config.Profile);
        world.Log("run.start", scenario.Name, $"seed={config.Seed} strategy={strategy.Name} defects={config.Defects}");
        scenario.Build(context);
        world.Options = world.Options with { Network = context.Profile.Network };
        var nemesis = new Nemesis(world, context.Profile, context.Timeline, context.EffectiveQuietAt);
        foreach (var process in context.Autostart)
        {
            world.Start(process);
        }

        var safety = context.Safety;
        var exit = runtime.Run(
            context.Horizon,
            context.MaxSteps,
            () => world.Violation is not null,
            () =>
            {
                for (var i = 0; i < safety.Count && world.Violation is null; i++)
                {
                    if (safety[i].Check() is { } message)
                    {
                        world.Fail(safety[i].Name, message);
                    }
                }
            });

        switch (exit)
        {
            case LoopExit.Uncontrolled:
                world.Fail("uncontrolled-concurrency", runtime.UncontrolledConcurrency!);
                break;
            case LoopExit.StepBound:
                world.Fail("step-bound", $"the run took {context.MaxSteps} steps without reaching its horizon at {context.Horizon.TotalSeconds}s (virtual time {world.Now.TotalSeconds:F3}s): a livelock or a busy loop");
                break;
            case LoopExit.Horizon or LoopExit.Quiescent when world.Violation is null:
                foreach (var invariant in context.Liveness)
                {
                    if (invariant.Check() is { } message)
                    {
                        world.Fail(invariant.Name, message);
                        break;
                    }
                }

                break;
            default:
                break;
        }

        world.Log("run.end", scenario.Name, $"exit={exit} verdict={(world.Violation is null ? "ok" : "bug")} steps={runtime.Step} faults={nemesis.FaultsInjected}");
#pragma warning disable RS0030 // the run's wall time is measured, not simulated
        var wall = Stopwatch.GetElapsedTime(started);
#pragma warning restore RS0030
        return new RunResult(config, world.Violation, world.Events.Hash, runtime.Step, world.Now, exit, world.Events, wall, nemesis.FaultsInjected);
    }

    public static ISchedulingStrategy CreateStrategy(RunConfig config, Rng rng) => config.Strategy switch
    {
        "random" => new RandomStrategy(rng),
        "pct" => new PctStrategy(rng, config.PctDepth, 100_000),
        _ => throw new ArgumentException($"unknown strategy '{config.Strategy}' (known: {string.Join(", ", RunConfig.Strategies)})"),
    };
}
