using Sim.Campaign;
using Sim.Cli;
using Sim.Scenarios;
using Sim.Shared;
using Sim.Stack.Defects;
using static Sim.Tests.Campaign.CampaignHelpers;

namespace Sim.Tests.Campaign;

/// <summary>scenarios.yaml: what a bad file or flag says (file, line, key; exit code 2), and the repository's own campaign.</summary>
public sealed class CampaignConfigTests : IDisposable
{
    private const string Valid = """
        campaign:
          budget: 5m
          seeds:
            start: 1
          timeout: 60s
        scenarios:
          - name: register
            profiles: [default, chaos]
            engines:
              - engine: loop
                strategies: [random, pct]
                iterations: 2
              - engine: coyote
                strategies: [pct]
                profiles: [default]
                iterations: 1
                bound: 5
        defects:
          - name: ack-before-flush
            scenario: register
            engines:
              - engine: loop
                strategies: [random]
                iterations: 1
        """;

    private readonly DirectoryInfo dir = Directory.CreateTempSubdirectory("sim-campaign-config-");

    public void Dispose() => dir.Delete(recursive: true);

    [Theory]
    [InlineData("engines:", "engnes:", "campaign.yaml:9: scenarios[0].engnes: unknown key 'engnes' (known: name, profiles, engines)")]
    [InlineData("  budget: 5m", "  budget: 5m\n  colour: red", "campaign.yaml:3: campaign.colour: unknown key 'colour' (known: budget, seeds, timeout, workers)")]
    [InlineData("- name: register", "- name: regster", "campaign.yaml:7: scenarios[0].name: unknown scenario 'regster' (known: register,")]
    [InlineData("strategies: [random, pct]", "strategies: [random, foo]", "campaign.yaml:11: scenarios[0].engines[0].strategies: unknown strategy 'foo' (known: random, pct)")]
    [InlineData("strategies: [pct]", "strategies: [pct, dfs]", "campaign.yaml:14: scenarios[0].engines[1].strategies: unknown strategy 'dfs' (known: random, probabilistic, pct,")]
    [InlineData("engine: coyote", "engine: warp", "campaign.yaml:13: scenarios[0].engines[1].engine: unknown engine 'warp' (known: loop, coyote)")]
    [InlineData("profiles: [default, chaos]", "profiles: [default, storm]", "campaign.yaml:8: scenarios[0].profiles: unknown fault profile 'storm' (known: default, none, chaos, crashes, partitions, swarm)")]
    [InlineData("profiles: [default, chaos]", "profiles: [chaos, chaos]", "campaign.yaml:8: scenarios[0].profiles: fault profile 'chaos' is listed twice")]
    [InlineData("iterations: 2", "iterations: -2", "campaign.yaml:12: scenarios[0].engines[0].iterations: must be a positive integer or until-budget (got '-2')")]
    [InlineData("iterations: 2", "iterations: lots", "campaign.yaml:12: scenarios[0].engines[0].iterations: must be a positive integer or until-budget (got 'lots')")]
    [InlineData("budget: 5m", "budget: soon", "campaign.yaml:2: campaign.budget: 'soon' is not a duration")]
    [InlineData("timeout: 60s", "timeout: [60s]", "campaign.yaml:5: campaign.timeout: expected a value, got a list")]
    [InlineData("start: 1", "start: zero", "campaign.yaml:4: campaign.seeds.start: must be a whole number from 0 to 18446744073709551615, or auto (a base from the UTC date) (got 'zero')")]
    [InlineData("bound: 5", "bound: 0", "campaign.yaml:17: scenarios[0].engines[1].bound: must be a positive integer (got '0')")]
    [InlineData("- name: ack-before-flush", "- name: ack-after-flush", "campaign.yaml:19: defects[0].name: unknown defect 'ack-after-flush' (known: ack-before-flush,")]
    [InlineData("scenario: register", "scenario: heartbeat", "campaign.yaml:20: defects[0].scenario: defect 'ack-before-flush' belongs to scenario 'register', not 'heartbeat'")]
    [InlineData("        strategies: [random]\n", "", "campaign.yaml:22: defects[0].engines[0]: missing key 'strategies'")]
    [InlineData("profiles: [default, chaos]", "profiles: chaos", "campaign.yaml:8: scenarios[0].profiles: expected a list, got 'chaos'")]
    [InlineData("timeout: 60s", "timeout: @60s", "campaign.yaml:5: not valid YAML: While scanning for the next token, found character that cannot start any token.")]
    public void ABadCampaignFileNamesTheFileTheLineAndTheKey(string find, string replace, string message)
    {
        Assert.Contains(find, Valid, StringComparison.Ordinal);
        var config = Config(dir, Valid.Replace(find, replace, StringComparison.Ordinal));

        var (code, stdout, stderr) = RunSim("fuzz", "--config", config, "--out", Path.Combine(dir.FullName, "out"));

        Assert.Equal(ExitCodes.BadInput, code);
        Assert.Equal("", stdout);
        Assert.StartsWith($"sim: {Path.Combine(dir.FullName, message)}", stderr, StringComparison.Ordinal);
        Assert.False(Directory.Exists(Path.Combine(dir.FullName, "out")), "a bad campaign file must not start a campaign");
    }

    [Fact]
    public void AStreamWithoutIterationsNeedsAWallBudget()
    {
        var config = Config(dir, Valid.Replace("  budget: 5m\n", "", StringComparison.Ordinal).Replace("        iterations: 2\n", "", StringComparison.Ordinal));

        var (code, _, stderr) = RunSim("fuzz", "--config", config, "--out", Path.Combine(dir.FullName, "out"));

        Assert.Equal(ExitCodes.BadInput, code);
        Assert.Contains("campaign.yaml:9: scenarios[0].engines[0]: runs until the wall budget ends (until-budget, or no 'iterations'), but there is no wall budget", stderr, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--shard: '3/3' is not a shard i/n", "--shard", "3/3")]
    [InlineData("--shard: 'one' is not a shard i/n", "--shard", "one")]
    [InlineData("--workers: '-1' is not a whole number from 0 to 100000", "--workers", "-1")]
    [InlineData("--budget: 'forever' is not a duration", "--budget", "forever")]
    [InlineData("--test-fault: 'melt@1' is not crash@UNIT, hang@UNIT or slow@UNIT", "--test-fault", "melt@1")]
    [InlineData("nosuch.yaml: no such file", "--config", "nosuch.yaml")]
    public void BadFuzzFlagsExitWithTwo(string message, string flag, string value)
    {
        var args = new List<string> { "fuzz", "--out", Path.Combine(dir.FullName, "out"), flag, value };
        if (flag != "--config")
        {
            args.AddRange(["--config", Config(dir, Valid)]);
        }

        var (code, _, stderr) = RunSim([.. args]);

        Assert.Equal(ExitCodes.BadInput, code);
        Assert.Contains(message, stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void AResultsDirectoryIsNeverOverwrittenAndOnlyResumedWithItsOwnCampaign()
    {
        var outDir = Path.Combine(dir.FullName, "out");
        Directory.CreateDirectory(outDir);
        var line = ResultLines.Serialize(new CampaignLine { Config = "a.yaml", ConfigHash = "0123456789abcdef", Shard = "0/1", Budget = null, Workers = 1, Resumed = false, StartedUtc = "2026-11-23T15:00:00Z" });
        File.WriteAllText(Path.Combine(outDir, ResultsFile.FileName), line + "\n");
        var config = Config(dir, Valid);

        var (fresh, _, freshErr) = RunSim("fuzz", "--config", config, "--out", outDir);
        var (resumed, _, resumedErr) = RunSim("fuzz", "--config", config, "--out", outDir, "--resume");

        Assert.Equal(ExitCodes.BadInput, fresh);
        Assert.Contains("already holds a campaign", freshErr, StringComparison.Ordinal);
        Assert.Equal(ExitCodes.BadInput, resumed);
        Assert.Contains("was started with another campaign file (config hash 0123456789abcdef", resumedErr, StringComparison.Ordinal);
        Assert.Equal(line + "\n", File.ReadAllText(Path.Combine(outDir, ResultsFile.FileName)));
    }

    [Fact]
    public void TheRepositoryCampaignCoversEveryScenarioAndPlantsEveryDefect()
    {
        var root = new DirectoryInfo(AppContext.BaseDirectory);
        while (!File.Exists(Path.Combine(root.FullName, "Sim.sln")))
        {
            root = root.Parent ?? throw new InvalidOperationException("the repository root (Sim.sln) is not above the test assembly");
        }

        var config = CampaignConfigLoader.Load(Path.Combine(root.FullName, "scenarios.yaml"));

        Assert.Equal(ScenarioCatalog.All.Select(s => s.Name).Order(), config.Scenarios.Select(s => s.Name).Order());
        Assert.Equal(DefectCatalogue.All.Select(d => d.Name).Order(), config.Defects.Select(d => d.Name).Order());
        Assert.All(config.Scenarios, s => Assert.Contains(s.Engines, e => e.Engine == "loop"));
        Assert.NotNull(config.Budget);
    }

    [Fact]
    public void UnitsInterleaveEveryStreamAndShardsPartitionThem()
    {
        var config = CampaignConfigLoader.Load(Config(dir, Valid));
        var streams = UnitEnumeration.Streams(config);
        var all = UnitEnumeration.All(config, 1).ToList();

        // 2 strategies x 2 profiles x 2 seeds + 1 Coyote unit + 1 planted unit.
        Assert.Equal(4, streams.Count(s => s.Engine == "loop" && !s.Planted));
        Assert.Equal(10, all.Count);
        Assert.Equal(all.Count, UnitEnumeration.Count(config, Shard.Whole));
        Assert.Equal(Enumerable.Range(0, all.Count).Select(i => (long)i), all.Select(u => u.Index));
        Assert.Equal(streams, all.Take(streams.Count).Select(u => u.Stream));
        Assert.All(all.Take(streams.Count), u => Assert.Equal(1UL, u.Seed));
        foreach (var n in new[] { 1, 2, 3, 4, 7, 11 })
        {
            var shards = Enumerable.Range(0, n).Select(i => UnitEnumeration.ForShard(config, new Shard(i, n), 1).ToList()).ToList();
            Assert.Equal(all, shards.SelectMany(s => s).OrderBy(u => u.Index));
            Assert.Equal(shards.Select(s => (long?)s.Count), Enumerable.Range(0, n).Select(i => UnitEnumeration.Count(config, new Shard(i, n))));
        }
    }
    [Fact]
    public void AWeightedStreamGetsThatManyUnitsPerRoundWithConsecutiveSeeds()
    {
        var text = Valid.Replace("iterations: 1\n        bound: 5", "iterations: 5\n        bound: 5\n        weight: 3", StringComparison.Ordinal);
        var config = CampaignConfigLoader.Load(Config(dir, text));
        var all = UnitEnumeration.All(config, 100).ToList();
        var coyote = all.Where(u => u.Stream.Engine == "coyote").ToList();
        var firstRound = all.Take(all.FindIndex(u => u.Seed == 101 && u.Stream.Engine == "loop")).ToList();

        Assert.Equal([100UL, 101, 102, 103, 104], coyote.Select(u => u.Seed));
        Assert.Equal(3, firstRound.Count(u => u.Stream.Engine == "coyote"));
        Assert.Equal(all.Count, UnitEnumeration.Count(config, Shard.Whole));
    }

    [Fact]
    public void AWeightThatIsNotAPositiveIntegerIsRefusedWithItsPlace()
    {
        var text = Valid.Replace("bound: 5", "bound: 5\n        weight: 0", StringComparison.Ordinal);
        var file = Config(dir, text);

        var error = Assert.Throws<BadInputException>(() => CampaignConfigLoader.Load(file));

        Assert.Contains("scenarios[0].engines[1].weight: must be a positive integer (got '0')", error.Message, StringComparison.Ordinal);
    }
}
