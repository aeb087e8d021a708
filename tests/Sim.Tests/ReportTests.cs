using System.Text.Json;
using System.Text.RegularExpressions;
using Sim.Campaign;
using Sim.Cli;
using Sim.Engine;
using Sim.Report;
using Sim.Scenarios;
using Sim.Shared;
using Sim.Stack.Defects;
using Sim.Worlds;
using SkiaSharp;

namespace Sim.Tests;

/// <summary>
/// Two shards of a small campaign in the results format of `sim fuzz`, written from real loop-engine runs: register
/// with ack-before-flush planted (bugs, with findings), register without defects, heartbeat under chaos. Units are
/// enumerated once; shard i of 2 takes the units whose index % 2 == i, as `sim fuzz --shard i/2` does.
/// </summary>
public sealed partial class ShardFixture : IDisposable
{
    public ShardFixture()
    {
        Root = Directory.CreateTempSubdirectory("sim-report-shards-");
        Shards = [Path.Combine(Root.FullName, "shard0"), Path.Combine(Root.FullName, "shard1")];
        var units = new List<(string Scenario, string Strategy, string[] Defects, ulong Seed, string? Profile)>();
        for (ulong seed = 1; seed <= 3; seed++)
        {
            units.Add(("register", "random", [DefectCatalogue.AckBeforeFlush], seed, null));
            units.Add(("register", "pct", [], seed, null));
            units.Add(("heartbeat", "random", [], seed, "chaos"));
        }

        var writers = Shards.Select(dir =>
        {
            Directory.CreateDirectory(dir);
            return new StreamWriter(Path.Combine(dir, "results.jsonl"));
        }).ToArray();
        for (var i = 0; i < writers.Length; i++)
        {
            Write(writers[i], new CampaignLine { Config = "scenarios.yaml", ConfigHash = "0123456789abcdef", Shard = $"{i}/2", Budget = null, Workers = 1, Resumed = false, StartedUtc = "2026-11-23T15:00:00Z" });
        }

        var counts = new (int Units, int Bugs, double Wall)[writers.Length];
        for (var unit = 0; unit < units.Count; unit++)
        {
            var (scenarioName, strategy, defects, seed, profile) = units[unit];
            var shard = unit % 2;
            var config = new RunConfig(scenarioName, seed, strategy, new DefectSet(defects), FaultProfile.Builtin.FirstOrDefault(p => p.Name == profile), KeepEventLog: false);
            var run = Simulation.Run(ScenarioCatalog.Find(scenarioName)!, config);
            var iteration = new IterationLine
            {
                Unit = unit,
                Scenario = scenarioName,
                Engine = "loop",
                Strategy = strategy,
                Profile = profile,
                Defects = defects,
                Planted = defects.Length > 0,
                Seed = seed,
                Verdict = run.Verdict,
                Invariant = run.Violation?.Invariant,
                Message = run.Violation?.Message,
                Hash = run.Hash,
                WallSeconds = run.WallTime.TotalSeconds,
                VirtualSeconds = run.VirtualTime.TotalSeconds,
                Steps = run.Steps,
                Worker = 1,
            };
            Write(writers[shard], iteration);
            counts[shard] = (counts[shard].Units + 1, counts[shard].Bugs + (run.IsBug ? 1 : 0), counts[shard].Wall + run.WallTime.TotalSeconds);
            if (run.IsBug)
            {
                Findings.Add((scenarioName, run.Violation!.Invariant, run.ReplayCommand));
                Write(writers[shard], FindingLine.Of(iteration, run.Violation.Invariant, run.ReplayCommand, null, []));
            }
        }

        for (var i = 0; i < writers.Length; i++)
        {
            Write(writers[i], new BatchLine { Shard = $"{i}/2", Units = counts[i].Units, Bugs = counts[i].Bugs, WallSeconds = counts[i].Wall, FinishedUtc = "2026-11-23T15:01:00Z" });
            writers[i].Dispose();
        }

        Units = units.Count;
    }

    public DirectoryInfo Root { get; }

    public string[] Shards { get; }

    public int Units { get; }

    /// <summary>Every finding written: scenario, invariant and replay command.</summary>
    public List<(string Scenario, string Invariant, string Replay)> Findings { get; } = [];

    public void Dispose() => Root.Delete(recursive: true);

    /// <summary>A fresh copy of a shard directory inside <paramref name="parent"/>, to damage.</summary>
    public string Copy(int shard, DirectoryInfo parent)
    {
        var copy = parent.CreateSubdirectory($"copy-{parent.GetDirectories().Length}").FullName;
        File.Copy(Path.Combine(Shards[shard], "results.jsonl"), Path.Combine(copy, "results.jsonl"), overwrite: true);
        return copy;
    }

    private static void Write(StreamWriter writer, object record)
    {
        writer.Write(ResultLines.Serialize(record));
        writer.Write('\n');
        writer.Flush();
    }
}

/// <summary>`sim report` and `sim bench --defects`: the page, its charts, merging shards, and bad input.</summary>
public sealed partial class ReportTests(ShardFixture shards) : IClassFixture<ShardFixture>, IDisposable
{
    private readonly DirectoryInfo outDir = Directory.CreateTempSubdirectory("sim-report-tests-");

    public void Dispose() => outDir.Delete(recursive: true);

    [Fact]
    public void ReportPageShowsEveryChartAsADecodablePng()
    {
        var bench = Path.Combine(outDir.FullName, "bench");
        var (benchCode, _, benchErr) = Sim("bench", "--defects", DefectCatalogue.AckBeforeFlush, "--strategies", "loop:random,loop:pct", "--seeds", "2", "--out", bench);
        Assert.True(benchCode == ExitCodes.Ok, benchErr);
        var page = Path.Combine(outDir.FullName, "report");

        var (code, stdout, stderr) = Sim("report", shards.Shards[0], shards.Shards[1], bench, "--out", page);

        Assert.True(code == ExitCodes.Ok, stderr + stdout);
        Assert.Contains($"{shards.Units} iterations", stdout, StringComparison.Ordinal);
        var html = File.ReadAllText(Path.Combine(page, "index.html"));
        var images = ImageSource().Matches(html).Select(m => m.Groups[1].Value).ToList();
        string[] expected =
        [
            "img/findings-planted.png", "img/defect-ack-before-flush-iterations.png", "img/defect-ack-before-flush-time.png", "img/throughput.png",
            "img/timeline-register.png", "img/timeline-heartbeat.png", "img/recovery.png",
        ];
        Assert.Equal(expected.Order(StringComparer.Ordinal), images.Order(StringComparer.Ordinal));
        foreach (var image in images)
        {
            var path = Path.Combine(page, image);
            Assert.True(File.Exists(path), $"{image} is referenced by index.html but missing");
            using var bitmap = SKBitmap.Decode(path);
            Assert.True(bitmap is { Width: >= 800, Height: >= 400 }, $"{image} does not decode as a PNG chart");
            // A chart, not a blank canvas: many pixels differ from the background.
            var background = bitmap.GetPixel(0, 0);
            var drawn = 0;
            for (var y = 0; y < bitmap.Height; y += 4)
            {
                for (var x = 0; x < bitmap.Width; x += 4)
                {
                    drawn += bitmap.GetPixel(x, y) == background ? 0 : 1;
                }
            }

            Assert.True(drawn > 500, $"{image} is nearly blank ({drawn} sampled pixels drawn)");
        }

        // Nothing else in img/, and each distinct finding is on the page with the replay command of the first unit that found it.
        Assert.Equal(expected.Length, Directory.GetFiles(Path.Combine(page, "img")).Length);
        Assert.NotEmpty(shards.Findings);
        foreach (var first in shards.Findings.GroupBy(f => (f.Scenario, f.Invariant)).Select(g => g.First()))
        {
            Assert.Contains(System.Net.WebUtility.HtmlEncode(first.Replay), html, StringComparison.Ordinal);
            Assert.Contains(first.Invariant, html, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void MergingTwoShardsGivesTheUnion()
    {
        var first = ResultsReader.Read([shards.Shards[0]]);
        var second = ResultsReader.Read([shards.Shards[1]]);

        var merged = ResultsReader.Read(shards.Shards);

        Assert.Equal(shards.Units, merged.Iterations.Count);
        Assert.Equal(first.Iterations.Count + second.Iterations.Count, merged.Iterations.Count);
        Assert.Equal(Enumerable.Range(0, shards.Units).Select(u => (long)u), merged.IterationsInUnitOrder.Select(i => i.Record.Unit));
        Assert.Equal(shards.Findings.Count, merged.Findings.Count);
        Assert.Equal(first.Findings.Count + second.Findings.Count, merged.Findings.Count);
        Assert.Equal(first.Batches.Count + second.Batches.Count, merged.Batches.Count);
        Assert.Equal(["0/2", "1/2"], merged.Shards());
        var distinct = merged.DistinctFindings();
        Assert.Equal(shards.Findings.Select(f => (f.Scenario, f.Invariant)).Distinct().Order(), distinct.Select(d => (d.Scenario, d.Invariant)).Order());
        Assert.Equal(shards.Findings.Count, distinct.Sum(d => d.Count));
        Assert.All(distinct, d => Assert.True(d.Planted));

        // The same shard given twice counts once.
        var twice = ResultsReader.Read([shards.Shards[0], shards.Shards[0]]);
        Assert.Equal(first.Iterations.Count, twice.Iterations.Count);
        Assert.Equal(first.Findings.Count, twice.Findings.Count);
    }

    [Fact]
    public void MissingDirectoryIsBadInputNamingIt()
    {
        var missing = Path.Combine(outDir.FullName, "no-such-shard");

        var (code, stdout, stderr) = Sim("report", shards.Shards[0], missing, "--out", Path.Combine(outDir.FullName, "report"));

        Assert.Equal(ExitCodes.BadInput, code);
        Assert.Contains($"{missing}: no such directory", stderr, StringComparison.Ordinal);
        Assert.Equal("", stdout);
        Assert.False(Directory.Exists(Path.Combine(outDir.FullName, "report")));
    }

    [Fact]
    public void DirectoryWithoutResultsIsBadInput()
    {
        var empty = outDir.CreateSubdirectory("empty").FullName;

        var (code, _, stderr) = Sim("report", empty);

        Assert.Equal(ExitCodes.BadInput, code);
        Assert.Contains($"{empty}: holds neither results.jsonl", stderr, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("{\"type\":\"iteration\",\"unit\":", "not a JSON record")]
    [InlineData("{\"type\":\"iteration\",\"scenario\":\"register\"}", "bad iteration record")]
    [InlineData("[1, 2]", "a record must be a JSON object with a string \"type\"")]
    public void CorruptLineInTheMiddleNamesFileAndLine(string corrupt, string problem)
    {
        var dir = shards.Copy(0, outDir);
        var file = Path.Combine(dir, "results.jsonl");
        var lines = File.ReadAllLines(file);
        lines[2] = corrupt;
        File.WriteAllLines(file, lines);

        var (code, stdout, stderr) = Sim("report", dir, "--out", Path.Combine(dir, "report"));

        Assert.Equal(ExitCodes.BadInput, code);
        Assert.Contains($"{file}:3: {problem}", stderr, StringComparison.Ordinal);
        Assert.Equal("", stdout);
    }

    [Fact]
    public void TruncatedLastLineIsSkippedWithAWarning()
    {
        var dir = shards.Copy(1, outDir);
        var file = Path.Combine(dir, "results.jsonl");
        var intact = ResultsReader.Read([dir]);
        var lines = File.ReadAllLines(file);
        var iteration = lines.First(l => l.Contains("\"type\":\"iteration\"", StringComparison.Ordinal));
        File.AppendAllText(file, iteration[..(iteration.Length / 2)]);

        var read = ResultsReader.Read([dir]);
        var (code, stdout, stderr) = Sim("report", dir, "--out", Path.Combine(dir, "report"));

        Assert.Equal(1, read.TruncatedLines);
        Assert.Equal(intact.Iterations.Count, read.Iterations.Count);
        Assert.True(code == ExitCodes.Ok, stderr + stdout);
        Assert.Contains($"warning: {file}:{lines.Length + 1}: truncated last line skipped", stderr, StringComparison.Ordinal);
        Assert.Contains($"{intact.Iterations.Count} iterations", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void DefectBenchWritesOneLinePerSearchAndPrintsTheTable()
    {
        var dir = Path.Combine(outDir.FullName, "bench");

        var (code, stdout, stderr) = Sim("bench", "--defects", DefectCatalogue.AckBeforeFlush, "--strategies", "loop:random", "--seeds", "2", "--out", dir);

        Assert.True(code == ExitCodes.Ok, stderr + stdout);
        var lines = File.ReadAllLines(Path.Combine(dir, "defects.jsonl")).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        Assert.Equal(2, lines.Count);
        foreach (var (line, seed) in lines.Zip(new ulong[] { 1, 1001 }))
        {
            Assert.Equal("defect-bench", line.GetProperty("type").GetString());
            Assert.Equal("register", line.GetProperty("scenario").GetString());
            Assert.Equal("loop", line.GetProperty("engine").GetString());
            Assert.Equal(seed, line.GetProperty("seed").GetUInt64());
            // The same search by hand finds it after the same number of runs.
            var direct = Testing.Explore.WithLoop("register", DefectCatalogue.AckBeforeFlush, seed: seed, iterations: 200);
            Assert.Equal(direct.Bug is not null, line.GetProperty("found").GetBoolean());
            Assert.Equal(direct.Iterations, line.GetProperty("iterations").GetInt64());
        }

        var row = stdout.Split('\n').Single(l => l.StartsWith(DefectCatalogue.AckBeforeFlush, StringComparison.Ordinal));
        Assert.Matches(@"register\s+loop\s+random\s+200\s+2/2\s", row);
    }

    [Theory]
    [InlineData(DefectCatalogue.BackupAcksBeforeFlush, "loop", "register")]
    [InlineData(DefectCatalogue.BackupAcksBeforeFlush, "coyote", "register-ack-kill")]
    [InlineData(DefectCatalogue.LeaseWithoutFencing, "loop", "scheduler-failover")]
    [InlineData(DefectCatalogue.LeaseWithoutFencing, "coyote", "scheduler-lease-pause")]
    [InlineData(DefectCatalogue.AckBeforeFlush, "coyote", "register")]
    [InlineData(DefectCatalogue.PullTrustsNodeId, "coyote", "fleet-restart")]
    [InlineData(DefectCatalogue.LeaveBeforePingLoopStops, "coyote", "fleet-leave")]
    public void CoyoteHuntsADefectInAFocusedScenarioThatClaimsItWhenThereIsOne(string defect, string engine, string scenario)
    {
        Assert.Equal(scenario, ScenarioCatalog.HomeOf(defect, engine)?.Name);
    }

    [Theory]
    [InlineData("unknown strategy 'loop:nosuch'", "--defects", "--strategies", "loop:nosuch")]
    [InlineData("unknown engine 'warp'", "--defects", "--strategies", "warp:random")]
    [InlineData("unknown defect 'nosuch'", "--defects", "nosuch")]
    [InlineData("no engine/strategy is left to run", "--defects", "--strategies", "loop:random", "--skip", "random")]
    [InlineData("--loop-budget: '0' is not a whole number from 1 to 2147483647", "--defects", "--loop-budget", "0")]
    public void DefectBenchBadInputExitsWithTwo(string problem, params string[] args)
    {
        var (code, _, stderr) = Sim(["bench", .. args]);

        Assert.Equal(ExitCodes.BadInput, code);
        Assert.Contains(problem, stderr, StringComparison.Ordinal);
    }

    private static (int Code, string Stdout, string Stderr) Sim(params string[] args)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var code = Program.Run(args, stdout, stderr);
        return (code, stdout.ToString(), stderr.ToString());
    }

    [GeneratedRegex("<img src=\"([^\"]+)\"")]
    private static partial Regex ImageSource();
}

/// <summary>Without defects.jsonl the report measures planted defects from the campaign's own planted streams.</summary>
public sealed class CampaignSearchTests
{
    private static Placed<Sim.Campaign.IterationLine> Unit(ulong seed, string verdict) => new(new Sim.Campaign.IterationLine
    {
        Unit = (long)seed,
        Scenario = "register",
        Engine = "loop",
        Strategy = "random",
        Profile = null,
        Defects = [DefectCatalogue.AckBeforeFlush],
        Planted = true,
        Seed = seed,
        Verdict = verdict,
        Invariant = verdict == "ok" ? null : "no-lost-acknowledged-write",
        Message = null,
        Hash = null,
        WallSeconds = seed / 10.0,
        VirtualSeconds = 40,
        Steps = 100,
        Worker = 1,
    }, "results.jsonl", (int)seed, null, "0/1");

    [Fact]
    public void ASearchFromEachSeedRunsTheStreamUntilItsFirstFind()
    {
        var searches = HtmlReport.CampaignSearches([Unit(3, "ok"), Unit(1, "ok"), Unit(2, "bug"), Unit(4, "ok")]);

        Assert.Equal([(1UL, true, 2L), (2UL, true, 1L), (3UL, false, 2L), (4UL, false, 1L)], searches.Select(s => (s.Seed, s.Found, s.Iterations)));
        Assert.Equal(0.3, searches[0].WallSeconds, 6);
        Assert.All(searches, s => Assert.Equal((DefectCatalogue.AckBeforeFlush, "register", "loop", "random"), (s.Defect, s.Scenario, s.Engine, s.Strategy)));
    }
}
