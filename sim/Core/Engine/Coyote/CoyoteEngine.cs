using System.Diagnostics;
using Microsoft.Coyote;
using Microsoft.Coyote.Rewriting;
using Microsoft.Coyote.Specifications;
using Microsoft.Coyote.SystematicTesting;
using Sim.Scenarios;
using Sim.Worlds;

namespace Sim.Engine.Coyote;

/// <summary>
/// The `coyote` engine: Coyote's <see cref="TestingEngine"/> runs the scenario over the rewritten
/// assemblies; every continuation, timer and random choice is Coyote's, so any finding replays exactly
/// from its trace.
/// </summary>
public static class CoyoteEngine
{
    public static IReadOnlyList<string> Strategies { get; } = ["random", "probabilistic", "pct", "fair-pct", "delay-bounding", "ql", "portfolio"];

    /// <summary>Fails at once, saying so, when the world, the stack or <paramref name="more"/> were not rewritten by Coyote.</summary>
    public static void EnsureRewritten(params System.Reflection.Assembly[] more)
    {
        foreach (var assembly in new[] { typeof(World).Assembly, typeof(Sim.Stack.Host.IHost).Assembly }.Concat(more).Distinct())
        {
            if (!RewritingEngine.IsAssemblyRewritten(assembly))
            {
                throw new InvalidOperationException(
                    $"{assembly.GetName().Name}.dll at {assembly.Location} was not rewritten by Coyote, so Coyote cannot control its tasks: " +
                    "build it with `dotnet build` (the build runs `coyote rewrite`), not with a tool that skips Directory.Build.targets.");
            }
        }
    }

    /// <summary>
    /// The baseline of the overhead figure: two controlled tasks exchanging <paramref name="messages"/>
    /// messages through task completion sources, with no world at all. Returns (wall time, scheduling steps).
    /// </summary>
    public static (TimeSpan Wall, long Steps) PingPong(int messages)
    {
        async Task Test()
        {
            var rounds = Math.Max(1, messages / 2);
            var pings = Enumerable.Range(0, rounds).Select(_ => new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously)).ToArray();
            var pongs = Enumerable.Range(0, rounds).Select(_ => new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously)).ToArray();
#pragma warning disable RS0030 // Rewritten by Coyote into a controlled task.
            var server = Task.Run(async () =>
            {
                for (var i = 0; i < rounds; i++)
                {
                    pongs[i].SetResult(await pings[i].Task + 1);
                }
            });
#pragma warning restore RS0030
            for (var i = 0; i < rounds; i++)
            {
                pings[i].SetResult(i);
                await pongs[i].Task;
            }

            await server;
        }

        var configuration = Configuration.Create().WithTestingIterations(1).WithRandomStrategy()
            .WithPartiallyControlledConcurrencyAllowed(false).WithTelemetryEnabled(false)
            .WithVerbosityEnabled(Microsoft.Coyote.Logging.VerbosityLevel.None).WithConsoleLoggingEnabled(false);
#pragma warning disable RS0030 // wall time of the baseline is measured, not simulated
        var started = Stopwatch.GetTimestamp();
        using var engine = TestingEngine.Create(configuration, Test);
        engine.Run();
        var wall = Stopwatch.GetElapsedTime(started);
#pragma warning restore RS0030
        if (engine.TestReport.NumOfFoundBugs > 0)
        {
            throw new InvalidOperationException("the ping-pong baseline failed: " + string.Join("\n", engine.TestReport.BugReports));
        }

        return (wall, engine.TestReport.TotalExploredFairSteps + engine.TestReport.TotalExploredUnfairSteps);
    }

    public static CoyoteOutcome Explore(Scenario scenario, RunConfig config, CoyoteOptions options)
    {
        var configuration = Configure(Configuration.Create(), options)
            .WithTestingIterations(options.Iterations)
            .WithRandomGeneratorSeed(unchecked((uint)config.Seed));
        if (options.Time is { } time)
        {
            configuration = configuration.WithTestingIterations(uint.MaxValue).WithTestingTimeout((int)Math.Max(1, time.TotalSeconds));
        }

        return Run(scenario, config, options, configuration);
    }

    /// <summary>Replays a reproducible trace; the same violation and event-log hash come out.</summary>
    public static CoyoteOutcome Replay(Scenario scenario, RunConfig config, CoyoteOptions options, string trace) =>
        Run(scenario, config, options, Configure(Configuration.Create(), options).WithReproducibleTrace(trace));

    private static Configuration Configure(Configuration configuration, CoyoteOptions options)
    {
        configuration = configuration
            .WithPartiallyControlledConcurrencyAllowed(false)
            .WithPartiallyControlledDataNondeterminismAllowed(false)
            .WithUncontrolledInvocationStackTraceLoggingEnabled(true)
            .WithMaxSchedulingSteps((uint)Math.Min(uint.MaxValue / 4, options.MaxSteps * 8))
            .WithTelemetryEnabled(false)
            .WithDeadlockTimeout(30_000)
            .WithVerbosityEnabled(Microsoft.Coyote.Logging.VerbosityLevel.None)
            .WithConsoleLoggingEnabled(false);
        return options.Strategy switch
        {
            "random" => configuration.WithRandomStrategy(),
            "probabilistic" => configuration.WithProbabilisticStrategy(options.StrategyBound ?? 3),
            "pct" => configuration.WithPrioritizationStrategy(false, options.StrategyBound ?? 10),
            "fair-pct" => configuration.WithPrioritizationStrategy(true, options.StrategyBound ?? 10),
            "delay-bounding" => configuration.WithDelayBoundingStrategy(false, options.StrategyBound ?? 10),
            "ql" => configuration.WithQLearningStrategy(),
            // Coyote's default: a tuned portfolio of strategies, used when none is set explicitly.
            "portfolio" => configuration,
            _ => throw new ArgumentException($"unknown Coyote strategy '{options.Strategy}' (known: {string.Join(", ", Strategies)})"),
        };
    }

    private static CoyoteOutcome Run(Scenario scenario, RunConfig config, CoyoteOptions options, Configuration configuration)
    {
        // The scenario's own code runs under Coyote too: its assembly must be rewritten as well.
        EnsureRewritten([.. scenario.CodeAssemblies]);
#pragma warning disable RS0030 // wall time of the exploration is measured, not simulated
        var started = Stopwatch.GetTimestamp();
        long iterationStarted = 0;
        Harness? last = null;
        long iterations = 0;
        async Task Iteration()
        {
            iterationStarted = Stopwatch.GetTimestamp();
            iterations++;
            var runtime = new CoyoteRuntime(options.EarlyFireOdds);
            var harness = Harness.Build(scenario, config, runtime, "coyote", options.Strategy, _ => new CoyoteRng());
            last = harness;
            var world = harness.World;
            Specification.RegisterMonitor<LivenessMonitor>();
            bool? owed = null;
            void CheckAfterStep()
            {
                harness.CheckSafety();
                if (harness.Nemesis.Quiet && harness.Context.Liveness.Count > 0)
                {
                    var now = harness.Context.Liveness.Any(l => l.Check() is not null);
                    if (now != owed)
                    {
                        owed = now;
                        Specification.Monitor<LivenessMonitor>(now ? LivenessMonitor.Owed.Instance : LivenessMonitor.Met.Instance);
                    }
                }
            }

            var exit = await runtime.RunAsync(harness.Context.Horizon, Math.Min(harness.Context.MaxSteps, options.MaxSteps), () => world.Violation is not null, CheckAfterStep);
            harness.Finish(exit, null, runtime.Step);
            if (world.Violation is { } violation)
            {
                Specification.Assert(false, $"{violation.Invariant}: {violation.Message}");
            }
        }

        using var engine = TestingEngine.Create(configuration, Iteration);
        engine.Run();
        var wall = Stopwatch.GetElapsedTime(started);
        var lastWall = Stopwatch.GetElapsedTime(iterationStarted);
#pragma warning restore RS0030
        var report = engine.TestReport;

        string? testbedError = null;
        if (report.NumOfFoundBugs > 0 && last?.World.Violation is null)
        {
            testbedError = string.Join("\n", report.BugReports);
        }
        else if (report.InternalErrors.Count > 0)
        {
            testbedError = "Coyote internal error: " + string.Join("\n", report.InternalErrors);
        }
        else if (report.UncontrolledInvocations.Count > 0)
        {
            testbedError = "uncontrolled invocations: " + string.Join(", ", report.UncontrolledInvocations);
        }

        var violation = report.NumOfFoundBugs > 0 ? last?.World.Violation : null;
        var log = last?.World.Events;
        return new CoyoteOutcome(
            iterations,
            violation,
            log?.Hash,
            log,
            report.NumOfFoundBugs > 0 ? engine.ReproducibleTrace : null,
            report.NumOfFoundBugs > 0 ? engine.ReadableTrace : null,
            wall,
            lastWall,
            testbedError,
            report.TotalExploredFairSteps + report.TotalExploredUnfairSteps,
            last?.World.Network.FramesDelivered ?? 0);
    }
}
