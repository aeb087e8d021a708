using System.Text.Json;
using Sim.Cli;
using Sim.Engine;
using Sim.Scenarios.Register;
using Sim.Shared;
using Sim.Stack.Defects;

namespace Sim.Tests;

/// <summary>The `sim` command: exit codes 0 (nothing found), 1 (bug), 2 (bad input), and its JSON output.</summary>
public sealed class CliTests : IDisposable
{
    private readonly DirectoryInfo outDir = Directory.CreateTempSubdirectory("sim-cli-tests-");

    public void Dispose() => outDir.Delete(recursive: true);

    [Theory]
    [InlineData("unknown scenario 'nosuch'", "run", "nosuch")]
    [InlineData("unknown scenario 'nosuch'", "explore", "nosuch", "--iterations", "1")]
    [InlineData("unknown defect 'nosuch'", "run", "register", "--defect", "nosuch")]
    [InlineData("unknown defect 'nosuch'", "explore", "register", "--defect", "ack-before-flush,nosuch")]
    [InlineData("'stale-node-mapping' belongs to scenario 'fleet-restart', not 'register'", "run", "register", "--defect", "stale-node-mapping")]
    [InlineData("unknown strategy 'dfs'", "run", "register", "--strategy", "dfs")]
    [InlineData("--iterations: '0' is not a whole number from 1 to 2147483647", "explore", "register", "--iterations", "0")]
    [InlineData("--iterations: '-3' is not a whole number from 1 to 2147483647", "explore", "register", "--iterations", "-3")]
    [InlineData("--pct-depth: '0' is not a whole number from 1 to 1000", "run", "register", "--pct-depth", "0")]
    [InlineData("unknown fault profile 'nosuch'", "run", "register", "--faults", "nosuch")]
    [InlineData("unknown engine 'warp'", "explore", "register", "--engine", "warp")]
    [InlineData("'abc'", "run", "register", "--seed", "abc")]
    [InlineData("'many'", "explore", "register", "--iterations", "many")]
    [InlineData("'frobnicate'", "frobnicate")]
    [InlineData("'--frob'", "run", "register", "--frob")]
    [InlineData("Required argument missing", "run")]
    public void BadInputExitsWithTwoAndNamesTheProblem(string problem, params string[] args)
    {
        var (code, stdout, stderr) = Sim([.. args, "--out", outDir.FullName]);

        Assert.Equal(ExitCodes.BadInput, code);
        Assert.Contains(problem, stderr, StringComparison.Ordinal);
        Assert.StartsWith("sim: ", stderr, StringComparison.Ordinal);
        Assert.Equal("", stdout);
        Assert.Empty(outDir.GetFiles());
    }

    [Fact]
    public void MalformedSeedNamesTheOption()
    {
        var (code, _, stderr) = Sim("run", "register", "--seed", "abc", "--out", outDir.FullName);

        Assert.Equal(ExitCodes.BadInput, code);
        Assert.Contains("--seed", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void RunPrintsAnOkVerdictAndTheHashAsJson()
    {
        var (code, stdout, stderr) = Sim("run", "register", "--seed", "3", "--json", "--out", outDir.FullName);

        Assert.True(code == ExitCodes.Ok, stderr + stdout);
        var json = LastLine(stdout);
        Assert.Equal("ok", json.GetProperty("verdict").GetString());
        Assert.Equal("register", json.GetProperty("scenario").GetString());
        Assert.Equal(3UL, json.GetProperty("seed").GetUInt64());
        var hash = json.GetProperty("hash").GetString();
        Assert.Matches("^[0-9a-f]{16}$", hash);

        // The hash is the run's, and the event log it names was written.
        Assert.Equal(Simulation.Run(new RegisterScenario(), new RunConfig("register", 3, "random", DefectSet.None)).Hash, hash);
        var log = json.GetProperty("eventLog").GetString();
        Assert.True(File.Exists(log), $"event log {log} not written");
        Assert.StartsWith(outDir.FullName, Path.GetFullPath(log!), StringComparison.Ordinal);
        Assert.Contains(" run.start register ", File.ReadLines(log!).First(), StringComparison.Ordinal);
    }

    [Fact]
    public void CheckDeterminismRunsTwiceAndExitsZero()
    {
        var (code, stdout, stderr) = Sim("run", "register", "--seed", "4", "--strategy", "pct", "--check-determinism", "--json", "--out", outDir.FullName);

        Assert.True(code == ExitCodes.Ok, stderr + stdout);
        var json = LastLine(stdout);
        Assert.Equal("ok", json.GetProperty("verdict").GetString());
        Assert.Equal(json.GetProperty("hash").GetString(), json.GetProperty("secondHash").GetString());
    }

    [Fact]
    public void ExploreWithTheDefectFindsTheBugAndExitsOne()
    {
        var (code, stdout, stderr) = Sim("explore", "register", "--engine", "loop", "--defect", "ack-before-flush", "--iterations", "20", "--json", "--out", outDir.FullName);

        Assert.True(code == ExitCodes.Bug, stderr + stdout);
        var json = LastLine(stdout);
        Assert.Equal("bug", json.GetProperty("verdict").GetString());
        var iterations = json.GetProperty("iterations").GetInt32();
        Assert.InRange(iterations, 1, 20);
        Assert.Equal(iterations, json.GetProperty("bugIteration").GetInt32());
        Assert.Equal((ulong)iterations, json.GetProperty("bugSeed").GetUInt64());
        Assert.Equal(RegisterChecker.NoLostAckedWrite, json.GetProperty("invariant").GetString());
        Assert.Equal(["ack-before-flush"], json.GetProperty("defects").EnumerateArray().Select(d => d.GetString()));
        var log = File.ReadAllLines(json.GetProperty("eventLog").GetString()!);
        Assert.Contains(log, l => l.Contains("invariant.violated " + RegisterChecker.NoLostAckedWrite, StringComparison.Ordinal));

        // The replay it prints (the bug report it wrote) reproduces the bug with the same hash...
        var report = json.GetProperty("report").GetString()!;
        Assert.Equal($"dotnet run --project sim -- replay {report}", json.GetProperty("replay").GetString());
        var (replayCode, replayOut, replayErr) = Sim("replay", report, "--json");
        Assert.True(replayCode == ExitCodes.Bug, replayErr + replayOut);
        var replayed = LastLine(replayOut);
        Assert.Equal("bug", replayed.GetProperty("verdict").GetString());
        Assert.Equal(json.GetProperty("hash").GetString(), replayed.GetProperty("hash").GetString());

        // ... and so does a plain run with the seed.
        var (runCode, runOut, _) = Sim("run", "register", "--seed", iterations.ToString(System.Globalization.CultureInfo.InvariantCulture), "--defect", "ack-before-flush", "--json", "--out", outDir.FullName);
        Assert.Equal(ExitCodes.Bug, runCode);
        Assert.Equal(json.GetProperty("hash").GetString(), LastLine(runOut).GetProperty("hash").GetString());
    }

    [Fact]
    public void ExploreWithoutTheDefectFindsNothingAndExitsZero()
    {
        var (code, stdout, stderr) = Sim("explore", "register", "--engine", "loop", "--iterations", "3", "--seed", "10", "--json", "--out", outDir.FullName);

        Assert.True(code == ExitCodes.Ok, stderr + stdout);
        var json = LastLine(stdout);
        Assert.Equal("ok", json.GetProperty("verdict").GetString());
        Assert.Equal(3, json.GetProperty("iterations").GetInt32());
        Assert.Equal(JsonValueKind.Null, json.GetProperty("bugIteration").ValueKind);
    }

    [Fact]
    public void ListNamesTheScenariosDefectsAndStrategies()
    {
        var (code, stdout, _) = Sim("list");

        Assert.Equal(ExitCodes.Ok, code);
        Assert.Contains("register:", stdout, StringComparison.Ordinal);
        Assert.Contains("defect ack-before-flush", stdout, StringComparison.Ordinal);
        Assert.Contains("loop strategies: random, pct", stdout, StringComparison.Ordinal);
        Assert.Contains("coyote strategies: random, probabilistic, pct, fair-pct, delay-bounding, ql, portfolio", stdout, StringComparison.Ordinal);
    }

    internal static (int Code, string Stdout, string Stderr) Sim(params string[] args)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var code = Program.Run(args, stdout, stderr);
        return (code, stdout.ToString(), stderr.ToString());
    }

    internal static JsonElement LastLine(string stdout)
    {
        var last = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)[^1];
        using var document = JsonDocument.Parse(last);
        return document.RootElement.Clone();
    }
}

/// <summary>What `sim explore --engine coyote` puts on the real console: Coyote's own progress lines must not be among it.</summary>
[Collection(nameof(CoyoteCollection))]
public sealed class CoyoteConsoleTests : IDisposable
{
    private readonly DirectoryInfo outDir = Directory.CreateTempSubdirectory("sim-coyote-console-");

    public void Dispose() => outDir.Delete(recursive: true);

    [Fact]
    public void CoyoteExploreWithJsonPrintsExactlyOneJsonLine()
    {
        // Coyote's testing engine writes through Console.Out itself, so the console is captured, and the CLI
        // writes to it as `sim` does (Program.Main passes Console.Out). The collection runs alone, so nothing
        // else writes to the console meanwhile.
        var console = new StringWriter();
        var original = Console.Out;
        int code;
        Console.SetOut(console);
        try
        {
            code = Program.Run(["explore", "register", "--engine", "coyote", "--strategy", "random", "--defect", DefectCatalogue.AckBeforeFlush, "--iterations", "10", "--seed", "2", "--json", "--out", outDir.FullName], Console.Out, TextWriter.Null);
        }
        finally
        {
            Console.SetOut(original);
        }

        var lines = console.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        Assert.True(lines.Length == 1, "expected one line, got:\n" + console);
        using var json = JsonDocument.Parse(lines[0]);
        Assert.Equal(ExitCodes.Bug, code);
        Assert.Equal("bug", json.RootElement.GetProperty("verdict").GetString());
        Assert.Equal("coyote", json.RootElement.GetProperty("engine").GetString());
    }
}
