using System.Text.Json;
using Sim.Cli;
using Sim.Engine;
using Sim.Engine.Coyote;
using Sim.Scenarios;
using Sim.Scenarios.Register;
using Sim.Shared;
using Sim.Stack.Defects;
using Sim.Testing;

namespace Sim.Tests;

/// <summary>Coyote runs alone: its engine takes over task scheduling in the process while it explores.</summary>
[CollectionDefinition(nameof(CoyoteCollection), DisableParallelization = true)]
public sealed class CoyoteCollection;

/// <summary>The Coyote engine on small budgets: it finds the planted defect, replays it exactly, and fails loudly on bad input.</summary>
[Collection(nameof(CoyoteCollection))]
public sealed class CoyoteEngineTests : IDisposable
{
    private readonly DirectoryInfo outDir = Directory.CreateTempSubdirectory("sim-coyote-");

    public void Dispose() => outDir.Delete(recursive: true);

    [Theory]
    [InlineData("random")]
    [InlineData("probabilistic")]
    [InlineData("pct")]
    [InlineData("fair-pct")]
    [InlineData("delay-bounding", 2UL)] // seed 1 takes three iterations; seed 2 finds it in the first.
    [InlineData("ql", 2UL)] // seed 1 takes two iterations (~20 s); seeds 2 to 5 find it in the first.
    [InlineData("portfolio")]
    public void EachStrategyFindsTheRegisterDefect(string strategy, ulong seed = 1)
    {
        var outcome = Explore.WithCoyote("register", defect: DefectCatalogue.AckBeforeFlush, strategy: strategy, iterations: 10, seed: seed);

        Assert.True(outcome.Violation is not null, outcome.Summary());
        Assert.Equal(RegisterChecker.NoLostAckedWrite, outcome.Violation.Invariant);
        Assert.NotNull(outcome.ReproducibleTrace);
    }

    [Fact]
    public void AFoundTraceReplaysToTheSameInvariantAndHash()
    {
        var scenario = ScenarioCatalog.Find("register")!;
        var config = new RunConfig("register", 7, "pct", new DefectSet([DefectCatalogue.AckBeforeFlush]));
        var options = new CoyoteOptions("pct", 10);
        var found = CoyoteEngine.Explore(scenario, config, options);
        Assert.True(found.Violation is not null, found.Summary());

        var replayed = CoyoteEngine.Replay(scenario, config, options, found.ReproducibleTrace!);

        Assert.Equal(found.Violation.Invariant, replayed.Violation?.Invariant);
        Assert.Equal(found.Violation.Message, replayed.Violation?.Message);
        Assert.Equal(found.Hash, replayed.Hash);
    }

    [Theory]
    [InlineData("ql")]
    [InlineData("pct")]
    public void AnUnfairStrategysIterationEndsAtTheWorldsStepBoundWithItsVerdict(string strategy)
    {
        // Coyote's own scheduling-step bound used to cut unfair strategies' iterations off first, silently.
        var scenario = ScenarioCatalog.Find("heartbeat")!;
        var config = new RunConfig("heartbeat", 1, strategy, DefectSet.None);

        var outcome = CoyoteEngine.Explore(scenario, config, new CoyoteOptions(strategy, 1, MaxSteps: 60));

        Assert.True(outcome.Violation is not null, outcome.Summary());
        Assert.Equal("step-bound", outcome.Violation.Invariant);
        // The clock judges the bound at its own ticks: continuations that ran since its last tick may take a few
        // steps past it, never anywhere near Coyote's own bound (64 decisions a step).
        Assert.InRange(outcome.Violation.Step, 60L, 70L);
    }

    [Fact]
    public void AQlFindingReplaysToTheSameInvariantAndHash()
    {
        var scenario = ScenarioCatalog.Find("register")!;
        var config = new RunConfig("register", 2, "ql", new DefectSet([DefectCatalogue.AckBeforeFlush]));
        var options = new CoyoteOptions("ql", 10);
        var found = CoyoteEngine.Explore(scenario, config, options);
        Assert.True(found.Violation is not null, found.Summary());

        var replayed = CoyoteEngine.Replay(scenario, config, options, found.ReproducibleTrace!);

        Assert.Equal(found.Violation.Message, replayed.Violation?.Message);
        Assert.Equal(found.Hash, replayed.Hash);
    }

    [Fact]
    public void WithoutTheDefectAFixedBudgetFindsNothing()
    {
        var outcome = Explore.WithCoyote("register", iterations: 3, seed: 11);

        Assert.False(outcome.IsBug, outcome.Summary());
        Assert.Equal(3, outcome.Iterations);
    }

    [Theory]
    [InlineData("register-ack-kill", "random", 5)] // seed 1 ended iteration 2 with the liveness monitor hot ("testbed defect")
    [InlineData("register-ack-kill", "pct", 25)] // seed 1 ended iteration 23 with a write open: pct never ran it while the clock settled
    [InlineData("fleet-leave", "probabilistic", 3)] // seed 1: every call's deadline passed while its response sat runnable
    public void AFocusedScenarioWithoutDefectsIsCleanUnderCoyote(string scenario, string strategy, uint iterations)
    {
        var outcome = Explore.WithCoyote(scenario, strategy: strategy, iterations: iterations);

        Assert.False(outcome.IsBug, outcome.Summary());
        Assert.Null(outcome.TestbedError);
        Assert.Equal(iterations, (uint)outcome.Iterations);
    }

    [Fact]
    public void ATimerFiredAheadOfRunnableWorkIsReportedToTheProcessesItHeldBack()
    {
        var outcome = Explore.WithCoyote("fleet-leave", strategy: "random", iterations: 1);

        var early = outcome.Log!.Entries.Where(e => e.Event is Sim.Worlds.TimerFiredEarly).ToList();
        Assert.NotEmpty(early);
        Assert.All(early, e =>
        {
            var fired = (Sim.Worlds.TimerFiredEarly)e.Event;
            Assert.Equal(e.Time + fired.Late, fired.Due);
            Assert.True(fired.Late > TimeSpan.Zero && fired.Runnable > 0, e.ToString());
            Assert.Contains(e.Subject, new[] { "superlink", "node0", "node1", "driver" });
        });
    }

    [Fact]
    public void AnExplorationLeavesTheProcessOnTheCpusItHad()
    {
        // While it runs, the exploration holds the process's new threads to one CPU (CpuPinning); after, every thread
        // may run where it could before.
        var before = AllowedCpus();

        var outcome = Explore.WithCoyote("register", iterations: 2, seed: 3);

        Assert.Equal(2, outcome.Iterations);
        Assert.Equal(before, AllowedCpus());
    }

    [Fact]
    public void ThePingPongBaselineCountsDecisionsAndOperationsOverAllItsIterations()
    {
        var one = CoyoteEngine.PingPong(200);
        var three = CoyoteEngine.PingPong(200, iterations: 3);

        // Every message is at least one scheduling decision (the hand-over to the other side).
        Assert.InRange(one.Steps, 200, 1000);
        Assert.InRange(three.Steps, 2.5 * one.Steps, 3.5 * one.Steps);
        Assert.InRange(three.Operations, 2.5 * one.Operations, 3.5 * one.Operations);
    }

    [Fact]
    public void ARunOnAnAssemblyThatIsNotRewrittenFailsSayingSo()
    {
        var e = Assert.Throws<InvalidOperationException>(() => CoyoteEngine.EnsureRewritten(typeof(Xunit.Assert).Assembly));

        Assert.Contains("was not rewritten by Coyote", e.Message, StringComparison.Ordinal);
        Assert.Contains("xunit.assert", e.Message, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void TheWorldTheStackAndTheTestsAreRewritten() =>
        CoyoteEngine.EnsureRewritten(typeof(CoyoteEngineTests).Assembly);

    [Fact]
    public void ExploreWritesTraceLogAndReportAndReplayReproducesIt()
    {
        var (code, stdout, stderr) = Cli("explore", "register", "--engine", "coyote", "--strategy", "random", "--defect", DefectCatalogue.AckBeforeFlush, "--iterations", "10", "--json", "--out", outDir.FullName);

        Assert.True(code == ExitCodes.Bug, stderr + stdout);
        var json = LastLine(stdout);
        foreach (var field in new[] { "verdict", "iterations", "bugIteration", "invariant", "trace" })
        {
            Assert.True(json.TryGetProperty(field, out _), $"missing '{field}' in {json}");
        }

        Assert.Equal("bug", json.GetProperty("verdict").GetString());
        Assert.Equal(RegisterChecker.NoLostAckedWrite, json.GetProperty("invariant").GetString());
        var trace = json.GetProperty("trace").GetString()!;
        Assert.True(File.Exists(trace));
        Assert.Contains(File.ReadAllLines(json.GetProperty("eventLog").GetString()!), l => l.Contains("invariant.violated " + RegisterChecker.NoLostAckedWrite, StringComparison.Ordinal));
        Assert.True(File.Exists(trace + ".txt"));
        Assert.Equal($"dotnet run --project sim -- replay {trace}", json.GetProperty("replay").GetString());

        var (replayCode, replayOut, replayErr) = Cli("replay", trace, "--json");

        Assert.True(replayCode == ExitCodes.Bug, replayErr + replayOut);
        var replayed = LastLine(replayOut);
        Assert.Equal("bug", replayed.GetProperty("verdict").GetString());
        Assert.Equal(json.GetProperty("hash").GetString(), replayed.GetProperty("hash").GetString());
    }

    [Fact]
    public void ACorruptTraceGivesAClearMessageAndExitCodeTwo()
    {
        var (_, stdout, _) = Cli("explore", "register", "--engine", "coyote", "--defect", DefectCatalogue.AckBeforeFlush, "--iterations", "10", "--json", "--out", outDir.FullName);
        var trace = LastLine(stdout).GetProperty("trace").GetString()!;
        var text = File.ReadAllText(trace);
        File.WriteAllText(trace, text[..(text.Length / 2)]);

        var (code, _, stderr) = Cli("replay", trace);

        Assert.Equal(ExitCodes.BadInput, code);
        Assert.Contains(trace, stderr, StringComparison.Ordinal);
        Assert.Contains("corrupt or truncated", stderr, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("no such file")]
    [InlineData("not a Sim bug report")]
    public void AMissingOrForeignFileGivesExitCodeTwo(string expected)
    {
        var path = Path.Combine(outDir.FullName, "x.bug.json");
        if (expected != "no such file")
        {
            File.WriteAllText(path, """{"hello": "world"}""");
        }

        var (code, _, stderr) = Cli("replay", path);

        Assert.Equal(ExitCodes.BadInput, code);
        Assert.Contains(expected, stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void AnUnknownCoyoteStrategyIsBadInput()
    {
        var (code, _, stderr) = Cli("explore", "register", "--engine", "coyote", "--strategy", "dfs-everything");

        Assert.Equal(ExitCodes.BadInput, code);
        Assert.Contains("unknown strategy 'dfs-everything' for the coyote engine", stderr, StringComparison.Ordinal);
    }

    private static (int Code, string Stdout, string Stderr) Cli(params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        var code = Program.Run(args, stdout, stderr);
        return (code, stdout.ToString(), stderr.ToString());
    }

    /// <summary>The distinct sets of CPUs the threads of this process may run on (Linux; elsewhere none).</summary>
    private static string[] AllowedCpus() =>
        !OperatingSystem.IsLinux() ? [] :
        [.. Directory.EnumerateDirectories("/proc/self/task").Select(AllowedCpus).OfType<string>().Distinct().Order(StringComparer.Ordinal)];

    private static string? AllowedCpus(string task)
    {
        try
        {
            return File.ReadLines(Path.Combine(task, "status")).FirstOrDefault(l => l.StartsWith("Cpus_allowed_list:", StringComparison.Ordinal));
        }
        catch (IOException)
        {
            return null; // the thread ended meanwhile
        }
    }

    private static JsonElement LastLine(string stdout) =>
        JsonDocument.Parse(stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries)[^1]).RootElement;
}
