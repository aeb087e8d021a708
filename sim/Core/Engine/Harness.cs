using Sim.Scenarios;
using Sim.Worlds;

namespace Sim.Engine;

/// <summary>
/// What both engines share for one run: build the world from the scenario, start it, check safety after
/// every step, and at the end judge liveness and write the verdict into the event log.
/// </summary>
public sealed class Harness
{
    private Harness(World world, ScenarioContext context, Nemesis nemesis)
    {
        World = world;
        Context = context;
        Nemesis = nemesis;
    }

    public World World { get; }

    public ScenarioContext Context { get; }

    public Nemesis Nemesis { get; }

    public string EngineName { get; private set; } = "loop";

    public static Harness Build(Scenario scenario, RunConfig config, IRuntime runtime, string engine, string strategy, Func<string, Rng>? streams = null)
    {
        var world = new World(config.Seed, runtime, new WorldOptions { KeepEventLog = config.KeepEventLog, Buggify = config.Buggify }, streams);
        var context = new ScenarioContext(world, config.Defects, config.Profile);
        world.Emit(new RunStarted(engine, config.Seed, strategy, config.Defects.ToString()), scenario.Name);
        scenario.Build(context);
        var profile = context.Profile.ForRun(world);
        world.Options = world.Options with { Network = profile.Network };
        var nemesis = new Nemesis(world, profile, context.Timeline, context.EffectiveQuietAt);
        foreach (var process in context.Autostart)
        {
            world.Start(process);
        }

        context.StartScripts();

        return new Harness(world, context, nemesis) { EngineName = engine };
    }

    /// <summary>Checks every safety invariant and wakes the scripts whose conditions hold (call after each step).</summary>
    public void CheckSafety()
    {
        Context.PollWaits();
        var safety = Context.Safety;
        for (var i = 0; i < safety.Count && World.Violation is null; i++)
        {
            if (safety[i].Check() is { } message)
            {
                World.Fail(safety[i].Name, message);
            }
        }
    }

    /// <summary>Judges the run once the engine stopped: step bound, escapes, liveness at the horizon.</summary>
    public void Finish(LoopExit exit, string? uncontrolled, long steps)
    {
        switch (exit)
        {
            case LoopExit.Uncontrolled:
                World.Fail("uncontrolled-concurrency", uncontrolled ?? "something escaped the simulation");
                break;
            case LoopExit.StepBound:
                World.Fail("step-bound", $"the run took {steps} steps without reaching its horizon at {Context.Horizon.TotalSeconds}s (virtual time {World.Now.TotalSeconds:F3}s): a livelock or a busy loop");
                break;
            case LoopExit.Horizon or LoopExit.Quiescent when World.Violation is null:
                foreach (var invariant in Context.Liveness)
                {
                    if (invariant.Check() is { } message)
                    {
                        World.Fail(invariant.Name, message);
                        break;
                    }
                }

                break;
            default:
                break;
        }

        World.Emit(new RunEnded(exit, World.Violation is not null, steps, Nemesis.FaultsInjected), EngineName);
        World.Events.Seal();
    }
}
