using System.Diagnostics;
using Microsoft.Coyote;
using Microsoft.Coyote.Logging;
using Microsoft.Coyote.Rewriting;
using Microsoft.Coyote.Specifications;
using Microsoft.Coyote.SystematicTesting;
using Sim.Scenarios;
using Sim.Worlds;

namespace Sim.Engine.Coyote;

/// <summary>
/// The `coyote` engine: Coyote's <see cref="TestingEngine"/> runs the scenario over the rewritten
/// assemblies; every continuation, timer and random choice is Coyote's, so any finding replays exactly
/// from its trace. Its static members are the engine's own API (with Coyote's figures in <see cref="CoyoteOutcome"/>);
/// <see cref="Instance"/> is the same engine behind <see cref="IEngine"/>.
/// </summary>
public sealed class CoyoteEngine : IEngine
{
    private CoyoteEngine()
    {
    }

    public static CoyoteEngine Instance { get; } = new();

    public static IReadOnlyList<string> Strategies { get; } = ["random", "probabilistic", "pct", "fair-pct", "delay-bounding", "ql", "portfolio"];

    string IEngine.Name => "coyote";

    IReadOnlyList<string> IEngine.Strategies => Strategies;

    bool IEngine.SeedPerIteration => false;

    bool IEngine.HasStrategyBound => true;

    EngineOutcome IEngine.Run(Scenario scenario, RunConfig config, EngineSettings settings) =>
        Outcome(config, Explore(scenario, config, Options(config, settings, 1, null)));

    EngineOutcome IEngine.Explore(Scenario scenario, RunConfig config, EngineSettings settings, ExploreBudget budget, Action<long>? afterEach)
    {
        var outcome = Outcome(config, Explore(scenario, config, Options(config, settings, budget.Iterations, budget.Time)));
        afterEach?.Invoke(outcome.Iterations);
        return outcome;
    }

    EngineOutcome IEngine.Replay(Scenario scenario, RunConfig config, EngineSettings settings, string? trace) =>
        Outcome(config, Replay(scenario, config, Options(config, settings, 1, null), trace ?? throw new ArgumentException("a Coyote replay needs its reproducible trace", nameof(trace))));

    private static CoyoteOptions Options(RunConfig config, EngineSettings settings, long iterations, TimeSpan? time) =>
        new(config.Strategy, (uint)Math.Clamp(iterations, 1, uint.MaxValue), time, settings.StrategyBound, settings.EarlyFireOdds, settings.MaxSteps);

    private static EngineOutcome Outcome(RunConfig config, CoyoteOutcome outcome) =>
        new("coyote", config, outcome.Iterations, outcome.Violation, outcome.TestbedError, outcome.Hash, outcome.Steps, outcome.VirtualTime,
            outcome.WallTime, outcome.LastIterationWallTime, outcome.Log, outcome.ReproducibleTrace, outcome.ReadableTrace);

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
    /// messages through task completion sources, with no world at all, in each of <paramref name="iterations"/>
    /// iterations of one Coyote test. Returns (wall time, scheduling decisions, controlled operations), over all iterations.
    /// </summary>
    public static (TimeSpan Wall, long Steps, long Operations) PingPong(int messages, uint iterations = 1)
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

        var configuration = Configuration.Create().WithTestingIterations(iterations).WithRandomStrategy()
            .WithPartiallyControlledConcurrencyAllowed(false).WithTelemetryEnabled(false)
            .WithVerbosityEnabled(VerbosityLevel.None).WithConsoleLoggingEnabled(false);
#pragma warning disable RS0030 // wall time of the baseline is measured, not simulated
        var started = Stopwatch.GetTimestamp();
        using var engine = Quiet(TestingEngine.Create(configuration, Test));
        engine.Run();
        var wall = Stopwatch.GetElapsedTime(started);
#pragma warning restore RS0030
        var report = engine.TestReport;
        if (report.NumOfFoundBugs > 0)
        {
            throw new InvalidOperationException("the ping-pong baseline failed: " + string.Join("\n", report.BugReports));
        }

        return (wall, report.TotalExploredFairSteps + report.TotalExploredUnfairSteps, report.TotalControlledOperations);
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

    /// <summary>
    /// Coyote's own bound on scheduling decisions (operations scheduled and values chosen) per iteration: a
    /// world step takes about ten, so this leaves the world's step bound (<see cref="CoyoteOptions.MaxSteps"/>,
    /// whose "step-bound" verdict names the livelock) to come first. It used to be 8 decisions a step for the
    /// unfair strategies (ql, pct, delay-bounding): those iterations were cut off by Coyote before the world's
    /// bound, without a verdict. Should Coyote's bound still come first, that is reported, not skipped.
    /// </summary>
    private const long DecisionsPerStep = 64;

    private static Configuration Configure(Configuration configuration, CoyoteOptions options)
    {
        var decisions = (uint)Math.Min(int.MaxValue, options.MaxSteps * DecisionsPerStep);
        configuration = configuration
            .WithPartiallyControlledConcurrencyAllowed(false)
            .WithPartiallyControlledDataNondeterminismAllowed(false)
            .WithUncontrolledInvocationStackTraceLoggingEnabled(true)
            .WithMaxSchedulingSteps(decisions, decisions)
            .WithFailureOnMaxStepsBoundEnabled()
            .WithTelemetryEnabled(false)
            // Coyote's trace analysis builds a graph of every scheduling step, read only by its DGML reports, which
            // the engine never writes: 8 % of scheduler-failover's CPU, and memory for every step.
            .WithTraceAnalysisEnabled(false)
            .WithDeadlockTimeout(30_000)
            .WithVerbosityEnabled(VerbosityLevel.None)
            .WithConsoleLoggingEnabled(false);
        return options.Strategy switch
        {
            "random" => configuration.WithRandomStrategy(),
            "probabilistic" => configuration.WithProbabilisticStrategy(options.StrategyBound ?? 3),
            "pct" => configuration.WithPrioritizationStrategy(false, options.StrategyBound ?? 10),
            "fair-pct" => configuration.WithPrioritizationStrategy(true, options.StrategyBound ?? 10),
            "delay-bounding" => configuration.WithDelayBoundingStrategy(false, options.StrategyBound ?? 10),
            "ql" => QLearning(configuration),
            // Coyote's default: a tuned portfolio of strategies, used when none is set explicitly.
            "portfolio" => configuration,
            _ => throw new ArgumentException($"unknown Coyote strategy '{options.Strategy}' (known: {string.Join(", ", Strategies)})"),
        };
    }

    /// <summary>
    /// Coyote's testing engine logs to the console whatever the configuration says ("... Running test
    /// iterations:", "..... Iteration #1"): its log goes to a discarding logger instead, so stdout carries only
    /// the CLI's own lines (and `--json` exactly one). The readable trace is kept apart and still comes out.
    /// </summary>
    private static TestingEngine Quiet(TestingEngine engine)
    {
        engine.SetLogger(new TextWriterLogger(TextWriter.Null, VerbosityLevel.None));
        return engine;
    }

    /// <summary>
    /// Coyote's Q-learning strategy, learning on the world's own state hash (<see cref="CoyoteRuntime.StateHash"/>,
    /// registered in each iteration) instead of Coyote's implicit one. The implicit hash multiplies
    /// <c>31 + hash(op)</c> over every operation the iteration has created; every even factor adds a factor
    /// of 2, so after a few dozen operations the product is 0 modulo 2^32 and stays 0 — and so does any
    /// registered hash, which is multiplied in. The world creates thousands of operations (every continuation,
    /// every clock tick awaited: about 3,600 in an iteration of register), so nearly every step had state 0, whose Q-table then held every
    /// operation id of the iteration; choosing the next operation scans that table and, per entry, the
    /// enabled operations (a lazy filter over all operations created so far): O(N^2) per step, O(N^3) per
    /// iteration. Coyote 1.7 has no public switch for the implicit hash, hence the reflection, which fails
    /// loudly if a Coyote upgrade renames the field.
    /// </summary>
    private static Configuration QLearning(Configuration configuration)
    {
        configuration = configuration.WithQLearningStrategy();
        var implicitHashing = typeof(Configuration).GetField("IsImplicitProgramStateHashingEnabled", System.Reflection.BindingFlags.Instance | System.Reflection.BindingFlags.NonPublic)
            ?? throw new InvalidOperationException("Coyote's Configuration has no field IsImplicitProgramStateHashingEnabled any more: the ql strategy needs it switched off (see CoyoteEngine.QLearning)");
        implicitHashing.SetValue(configuration, false);
        return configuration;
    }

    /// <summary>
    /// Coyote's report keeps, for coverage, every iteration's whole trace as one string (one scheduler-failover iteration:
    /// 12.7 million characters) and, under ql, every program state hashed (one per scheduling point, since the world's
    /// hash includes its step); the engine reads neither, and over 50 iterations they would hold over a gigabyte. Each
    /// iteration drops what the previous ones left there (the engine waits while an iteration runs).
    /// </summary>
    private static void DropCoverage(TestingEngine? engine)
    {
        engine?.TestReport.CoverageInfo.ExploredPaths.Clear();
        engine?.TestReport.CoverageInfo.VisitedStates.Clear();
    }

    private static CoyoteOutcome Run(Scenario scenario, RunConfig config, CoyoteOptions options, Configuration configuration)
    {
        // The scenario's own code runs under Coyote too: its assembly must be rewritten as well.
        EnsureRewritten([.. scenario.CodeAssemblies]);
#pragma warning disable RS0030 // wall time of the exploration is measured, not simulated
        var started = Stopwatch.GetTimestamp();
        long iterationStarted = 0;
        Harness? last = null;
        long lastSteps = 0;

        // Operations the clocks removed from Coyote's map, which its count misses; an iteration Coyote cuts off never
        // returns to its test, so each iteration's are added when the next one starts, and the last one's at the end.
        long forgotten = 0;
        CoyoteRuntime? lastRuntime = null;
        TestingEngine? running = null;
        long iterations = 0;
        async Task Iteration()
        {
            iterationStarted = Stopwatch.GetTimestamp();
            iterations++;
            DropCoverage(running);
            var runtime = new CoyoteRuntime(options.EarlyFireOdds);
            forgotten += lastRuntime?.ForgottenOperations ?? 0;
            lastRuntime = runtime;
            var harness = Harness.Build(scenario, config, runtime, "coyote", options.Strategy, _ => new CoyoteRng(runtime));
            last = harness;
            var world = harness.World;
            runtime.FiredEarly = (e, process) => world.Emit(e, process);
            Specification.RegisterMonitor<LivenessMonitor>();
            if (options.Strategy == "ql")
            {
                Specification.RegisterStateHashingFunction(() => runtime.StateHash);
            }

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
            lastSteps = runtime.Step;
            if (world.Violation is { } violation)
            {
                Specification.Assert(false, $"{violation.Invariant}: {violation.Message}");
            }
        }

        using var engine = Quiet(TestingEngine.Create(configuration, Iteration));
        running = engine;
        using (CpuPinning.ToCurrentCpu())
        {
            engine.Run();
        }

        forgotten += lastRuntime?.ForgottenOperations ?? 0;
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
            last?.World.Network.FramesDelivered ?? 0,
            report.TotalControlledOperations + forgotten,
            lastSteps,
            last?.World.Now ?? TimeSpan.Zero);
    }
}
