using System.Diagnostics;
using System.Globalization;
using Sim.Campaign;
using Sim.Cli;
using Sim.Scenarios;
using Sim.Shared;
using Sim.Stack.Defects;
using static Sim.Tests.Campaign.CampaignHelpers;

namespace Sim.Tests.Campaign;

/// <summary>The small campaign several tests compare against, run through once with two workers.</summary>
public sealed class RunThroughCampaign : IDisposable
{
    public const string Yaml = """
        campaign:
          timeout: 60s
        scenarios:
          - name: register
            engines:
              - engine: loop
                strategies: [random, pct]
                iterations: 4
          - name: heartbeat
            profiles: [chaos]
            engines:
              - engine: loop
                strategies: [random]
                iterations: 4
        defects:
          - name: ack-before-flush
            engines:
              - engine: loop
                strategies: [random]
                iterations: 3
        """;

    public const int Units = 15;

    public RunThroughCampaign()
    {
        Config = CampaignHelpers.Config(Dir, Yaml);
        (Code, Stdout, Stderr) = RunSim("fuzz", "--config", Config, "--out", Out, "--workers", "2");
    }

    public DirectoryInfo Dir { get; } = Directory.CreateTempSubdirectory("sim-campaign-through-");

    public string Config { get; }

    public string Out => Path.Combine(Dir.FullName, "through");

    public int Code { get; }

    public string Stdout { get; }

    public string Stderr { get; }

    public void Dispose() => Dir.Delete(recursive: true);
}

/// <summary>`sim fuzz`: a campaign over worker processes, its findings, resume, shards, and lost workers.</summary>
public sealed class CampaignTests(RunThroughCampaign through) : IClassFixture<RunThroughCampaign>, IDisposable
{
    private readonly DirectoryInfo dir = Directory.CreateTempSubdirectory("sim-campaign-");

    public void Dispose() => dir.Delete(recursive: true);

    [Fact]
    public void CleanScenariosFindNothingAndEveryPlantedDefectIsFound()
    {
        // Every scenario and every defect of the catalogues, whatever they are now.
        var yaml = "campaign:\n  timeout: 60s\nscenarios:\n"
            + string.Concat(ScenarioCatalog.All.Select(s => $"  - name: {s.Name}\n    engines:\n      - engine: loop\n        strategies: [random, pct]\n        iterations: 1\n"))
            + "defects:\n"
            + string.Concat(DefectCatalogue.All.Select(d => $"  - name: {d.Name}\n    engines:\n      - engine: loop\n        strategies: [random, pct]\n        iterations: 3\n"));
        // Races need search by design (issue 12: not found at iteration 1 on most seeds); the campaign gives them tens of
        // rounds and their own tests pin the seeds that find them, so three seeds here are not asked to find them.
        var config = Config(dir, yaml);
        var outDir = Path.Combine(dir.FullName, "out");

        var (code, stdout, stderr) = RunSim("fuzz", "--config", config, "--out", outDir, "--workers", "2");

        Assert.True(code == ExitCodes.Ok, stderr + stdout);
        var results = Results(outDir);
        Assert.Equal((ScenarioCatalog.All.Count * 2) + (DefectCatalogue.All.Count * 6), results.Iterations.Count);
        Assert.All(results.Iterations.Where(i => !i.Planted), i => Assert.True(i.Verdict == "ok", $"unit {i.Unit} ({i.Scenario} seed {i.Seed}): {i.Invariant}: {i.Message}"));
        Assert.DoesNotContain(results.Findings, f => !f.Planted);
        foreach (var defect in DefectCatalogue.All.Where(d => !d.Race))
        {
            Assert.Contains(results.Findings, f => f.Defects.SequenceEqual([defect.Name]) && f.Scenario == ScenarioCatalog.HomeOf(defect.Name)!.Name && results.Iterations.Any(i => i.Unit == f.Unit && i.Verdict == "bug"));
            Assert.Matches($@"{defect.Name}\s*│\s*{ScenarioCatalog.HomeOf(defect.Name)!.Name}\s*│\s*6\s*│\s*[0-9.]+ s\s*│\s*found", stdout);
        }

        Assert.Contains("no unexpected finding", stdout, StringComparison.Ordinal);
        Assert.Equal("batch", File.ReadLines(Path.Combine(outDir, ResultsFile.FileName)).Last().Split('"')[3]);

        // A finding names its replay file relative to the results directory, and that file replays the same violation.
        var finding = results.Findings[0];
        Assert.NotNull(finding.ReplayFile);
        Assert.False(Path.IsPathRooted(finding.ReplayFile), finding.ReplayFile);
        Assert.All(finding.Files, f => Assert.True(File.Exists(Path.Combine(outDir, f)), f));
        Assert.Contains($"dotnet run --project sim -- replay {Path.Combine(outDir, finding.ReplayFile!)}", stdout, StringComparison.Ordinal);
        var (replayCode, replayOut, replayErr) = RunSim("replay", Path.Combine(outDir, finding.ReplayFile!));
        Assert.True(replayCode == ExitCodes.Bug, replayErr + replayOut);
        Assert.StartsWith($"reproduced: {finding.Invariant}", replayOut, StringComparison.Ordinal);
        Assert.Contains($"hash {finding.Hash}", replayOut, StringComparison.Ordinal);
    }

    [Fact]
    public void ACampaignKilledMidwayAndResumedFindsWhatARunThroughFinds()
    {
        Assert.True(through.Code == ExitCodes.Ok, through.Stderr + through.Stdout);
        var expected = Outcomes(through.Out);
        Assert.Equal(RunThroughCampaign.Units, expected.Count);
        Assert.Contains(expected, o => o.Verdict == "bug");
        var outDir = Path.Combine(dir.FullName, "killed");

        using (var fuzz = Start("fuzz", "--config", through.Config, "--out", outDir, "--workers", "2"))
        {
            WaitForUnits(fuzz, outDir, 4, TimeSpan.FromSeconds(60));
            fuzz.Kill(entireProcessTree: true);
            fuzz.WaitForExit();
        }

        var killed = Results(outDir);
        Assert.InRange(killed.Iterations.Count, 4, RunThroughCampaign.Units - 1);
        Assert.Empty(killed.Batches);

        var (code, stdout, stderr) = RunSim("fuzz", "--config", through.Config, "--out", outDir, "--workers", "2", "--resume");

        Assert.True(code == ExitCodes.Ok, stderr + stdout);
        var resumed = Results(outDir);
        Assert.Equal(0, resumed.Truncated);
        Assert.Equal(expected, Outcomes(outDir));
        Assert.Equal(RunThroughCampaign.Units, resumed.Iterations.Count);
        Assert.Equal([false, true], resumed.Campaigns.Select(c => c.Resumed));
        Assert.Equal(RunThroughCampaign.Units - killed.Iterations.Count, resumed.Batches.Single().Units);
        Assert.Equal(resumed.Iterations.Count(i => i.Verdict != "ok"), resumed.Findings.Count);
    }

    [Fact]
    public void AMovedResultsDirectoryStillNamesReplayFilesThatExist()
    {
        Assert.True(through.Code == ExitCodes.Ok, through.Stderr + through.Stdout);

        // As the nightly's report job sees it: the shard downloaded into shards/..., the report written elsewhere.
        var moved = Path.Combine(dir.FullName, "downloaded", "shards", "campaign-shard-0");
        Copy(through.Out, moved);
        var report = Path.Combine(dir.FullName, "downloaded", "report");
        foreach (var absolute in new[] { false, true })
        {
            var (code, stdout, stderr) = RunSim(["report", moved, "--out", report, .. absolute ? new[] { "--absolute-paths" } : []]);

            Assert.True(code == ExitCodes.Ok, stderr + stdout);
            var replays = System.Text.RegularExpressions.Regex.Matches(File.ReadAllText(Path.Combine(report, "index.html")), "<code>sim replay ([^<]+\\.(?:bug\\.json|trace))</code>").Select(m => m.Groups[1].Value).ToList();
            Assert.NotEmpty(replays);
            foreach (var file in replays)
            {
                Assert.Equal(absolute, Path.IsPathRooted(file));
                var full = Path.GetFullPath(Path.Combine(report, file));
                Assert.StartsWith(moved, full, StringComparison.Ordinal);
                var (replayCode, replayOut, replayErr) = RunSim("replay", full);
                Assert.True(replayCode == ExitCodes.Bug, replayErr + replayOut);
            }
        }
    }

    private static void Copy(string from, string to)
    {
        foreach (var file in Directory.GetFiles(from, "*", SearchOption.AllDirectories))
        {
            var target = Path.Combine(to, Path.GetRelativePath(from, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }
    }

    [Fact]
    public void ThreeShardsTogetherAreTheUnshardedCampaign()
    {
        Assert.True(through.Code == ExitCodes.Ok, through.Stderr + through.Stdout);
        var union = new HashSet<(long Unit, string Verdict, string? Invariant, string? Hash)>();
        for (var i = 0; i < 3; i++)
        {
            var outDir = Path.Combine(dir.FullName, $"shard-{i}");
            var (code, stdout, stderr) = RunSim("fuzz", "--config", through.Config, "--out", outDir, "--workers", "1", "--shard", $"{i}/3");

            Assert.True(code == ExitCodes.Ok, stderr + stdout);
            var shard = Outcomes(outDir);
            Assert.All(shard, o => Assert.Equal(i, o.Unit % 3));
            Assert.Equal($"{i}/3", Results(outDir).Campaigns.Single().Shard);
            Assert.Empty(union.Intersect(shard));
            union.UnionWith(shard);
        }

        Assert.Equal(Outcomes(through.Out), union);
    }

    [Fact]
    public void CrashedAndHungWorkersAreFindingsAndTheCampaignGoesOn()
    {
        var config = Config(dir, """
            campaign:
              timeout: 5s
            scenarios:
              - name: heartbeat
                engines:
                  - engine: loop
                    strategies: [random]
                    iterations: 6
            """);
        var outDir = Path.Combine(dir.FullName, "faults");

        var (code, stdout, stderr) = RunSim("fuzz", "--config", config, "--out", outDir, "--workers", "2", "--test-fault", "crash@1,hang@3");

        Assert.True(code == ExitCodes.Bug, stderr + stdout);
        var results = Results(outDir);
        Assert.Equal([0, 1, 2, 3, 4, 5], results.Iterations.Select(i => i.Unit).Order());
        var crash = Assert.Single(results.Iterations, i => i.Unit == 1);
        Assert.Equal(("crash", "worker-crash"), (crash.Verdict, crash.Invariant));
        Assert.Contains("exited with code 70", crash.Message, StringComparison.Ordinal);
        var hang = Assert.Single(results.Iterations, i => i.Unit == 3);
        Assert.Equal(("hang", "worker-hang"), (hang.Verdict, hang.Invariant));
        Assert.All(results.Iterations.Where(i => i.Unit is not (1 or 3)), i => Assert.Equal("ok", i.Verdict));
        Assert.Contains(results.Iterations, i => i.Worker > 2);
        Assert.Equal([1L, 3L], results.Findings.Select(f => f.Unit).Order());
        Assert.Equal("dotnet run --project sim -- run heartbeat --seed 2 --strategy random", results.Findings.Single(f => f.Unit == 1).Replay);
        Assert.Contains("worker-crash", stdout, StringComparison.Ordinal);
        Assert.Contains("worker-hang", stdout, StringComparison.Ordinal);
        Assert.Contains("2 unexpected finding(s)", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void SigtermStopsTheCampaignAndKeepsEveryFinishedUnit()
    {
        var outDir = Path.Combine(dir.FullName, "terminated");
        using var fuzz = Start("fuzz", "--config", through.Config, "--out", outDir, "--workers", "2");
        WaitForUnits(fuzz, outDir, 3, TimeSpan.FromSeconds(60));

        using (var kill = Process.Start("kill", ["-TERM", fuzz.Id.ToString(CultureInfo.InvariantCulture)]))
        {
            kill.WaitForExit();
        }

        Assert.True(fuzz.WaitForExit(TimeSpan.FromSeconds(30)), "sim fuzz did not stop on SIGTERM");
        Assert.Equal(ExitCodes.Interrupted, fuzz.ExitCode);
        var results = Results(outDir);
        Assert.Equal(0, results.Truncated);
        var batch = Assert.Single(results.Batches);
        Assert.Equal(results.Iterations.Count, batch.Units);
        Assert.InRange(batch.Units, 3, RunThroughCampaign.Units - 1);
        Assert.Equal("batch", File.ReadLines(Path.Combine(outDir, ResultsFile.FileName)).Last().Split('"')[3]);
    }
}
