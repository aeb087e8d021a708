using System.Text.Json;
using Sim.Campaign;
using Sim.Cli;
using Sim.Shared;
using Sim.Stack.Defects;
using static Sim.Tests.Campaign.CampaignHelpers;

namespace Sim.Tests.Campaign;

/// <summary>
/// Fresh ground every night: a seed base from the UTC date (or --seed-base) shifts every stream to new seeds, unit
/// index → seed stays a pure function of (base, stream, round), until-budget streams draw seeds until the wall budget
/// ends, a resume goes on with the base it recorded, and every finding still replays from its own seed.
/// </summary>
public sealed class FreshSeedsTests : IDisposable
{
    private const string AutoYaml = """
        campaign:
          timeout: 60s
          seeds:
            start: auto
        scenarios:
          - name: heartbeat
            engines:
              - engine: loop
                strategies: [random]
                iterations: 2
        defects:
          - name: ack-before-flush
            engines:
              - engine: loop
                strategies: [random]
                iterations: 2
        """;

    private readonly DirectoryInfo dir = Directory.CreateTempSubdirectory("sim-fresh-seeds-");

    public void Dispose() => dir.Delete(recursive: true);

    [Fact]
    public void ADateGivesItsOwnSeedBase()
    {
        var now = new DateTime(2026, 11, 23, 23, 59, 0, DateTimeKind.Utc);

        Assert.Equal(20261123000000UL, SeedBase.OfDate(new DateOnly(2026, 11, 23)));
        Assert.Equal(20261123000000UL, SeedBase.Parse("auto", "--seed-base", now).Value);
        Assert.True(SeedBase.Parse("auto", "--seed-base", now).FromDate);
        Assert.Equal(20261124000000UL, SeedBase.Parse("2026-11-24", "--seed-base", now).Value);
        Assert.Equal(42UL, SeedBase.Parse("42", "--seed-base", now).Value);
        var bad = Assert.Throws<BadInputException>(() => SeedBase.Parse("tomorrow", "--seed-base", now));
        Assert.Equal("--seed-base: 'tomorrow' is not a seed base: a whole number from 0 to 18446744073709551615, a UTC date (YYYY-MM-DD), or auto (today's UTC date)", bad.Message);
    }

    [Fact]
    public void UnitIndexToSeedIsBasePlusRoundAndShardsPartitionAnEndlessCampaign()
    {
        var endless = AutoYaml.Replace("name: heartbeat\n    engines:\n      - engine: loop\n        strategies: [random]\n        iterations: 2", "name: heartbeat\n    engines:\n      - engine: loop\n        strategies: [random]\n        iterations: until-budget", StringComparison.Ordinal);
        var config = CampaignConfigLoader.Load(Config(dir, endless));
        Assert.Contains(config.Scenarios[0].Engines, e => e.Iterations is null);
        const ulong Base = 20261123000000;

        var units = UnitEnumeration.All(config, Base).Take(200).ToList();

        var rounds = new Dictionary<UnitStream, ulong>();
        foreach (var unit in units)
        {
            var round = rounds.GetValueOrDefault(unit.Stream);
            Assert.Equal(Base + round, unit.Seed);
            rounds[unit.Stream] = round + 1;
        }

        Assert.Equal(2UL, rounds.Where(r => r.Key.Planted).Select(r => r.Value).Distinct().Single());
        Assert.True(rounds.Single(r => !r.Key.Planted).Value > 100, "the until-budget stream goes on after the others ran out");
        var shards = Enumerable.Range(0, 3).SelectMany(i => UnitEnumeration.ForShard(config, new Shard(i, 3), Base).TakeWhile(u => u.Index < 200)).OrderBy(u => u.Index);
        Assert.Equal(units, shards);
    }

    [Fact]
    public void TheFirstRoundGivesEveryStreamOneUnitLoopBeforeCoyotePlantedFirst()
    {
        var config = CampaignConfigLoader.Load(Path.Combine(Repository.Root, "scenarios.yaml"));
        var streams = UnitEnumeration.Streams(config);

        var first = UnitEnumeration.All(config, 1).Take(streams.Count).ToList();

        Assert.Equal(streams.Count, first.Select(u => u.Stream).Distinct().Count());
        Assert.All(first, u => Assert.Equal(1UL, u.Seed));
        var lastLoop = first.FindLastIndex(u => u.Stream.Engine == "loop");
        var firstCoyote = first.FindIndex(u => u.Stream.Engine == "coyote");
        Assert.True(lastLoop < firstCoyote, $"a Coyote unit (index {firstCoyote}) comes before the last loop unit (index {lastLoop})");
        Assert.Equal(first.Where(u => u.Stream.Engine == "loop").Select(u => u.Stream.Planted), first.Where(u => u.Stream.Engine == "loop").Select(u => u.Stream.Planted).OrderByDescending(p => p));
        Assert.Equal(DefectCatalogue.All.Select(d => d.Name).Order(), first.Where(u => u.Stream.Planted).SelectMany(u => u.Stream.Defects).Distinct().Order());
    }

    [Fact]
    public void TwoNightsExploreDisjointSeedsAndEveryFindingReplaysFromItsSeed()
    {
        var config = Config(dir, AutoYaml);
        var nights = new[] { new DateTime(2026, 11, 23, 2, 17, 0, DateTimeKind.Utc), new DateTime(2026, 11, 24, 2, 17, 0, DateTimeKind.Utc) };
        var seeds = new List<HashSet<ulong>>();
        foreach (var night in nights)
        {
            var outDir = Path.Combine(dir.FullName, $"night-{night:yyyy-MM-dd}");

            var (code, stdout, stderr) = Fuzz(night, "--config", config, "--out", outDir, "--workers", "2");

            Assert.True(code == ExitCodes.Ok, stderr + stdout);
            var results = Results(outDir);
            var campaign = Assert.Single(results.Campaigns);
            var expected = SeedBase.OfDate(DateOnly.FromDateTime(night));
            Assert.Equal(expected, campaign.SeedBase);
            Assert.Contains($"UTC date {night:yyyy-MM-dd}", campaign.SeedSource, StringComparison.Ordinal);
            Assert.Contains($"seed base {expected}", stdout, StringComparison.Ordinal);
            Assert.All(results.Iterations, i => Assert.InRange(i.Seed, expected, expected + SeedBase.PerDay - 1));
            seeds.Add([.. results.Iterations.Select(i => i.Seed)]);

            // Each finding's replay command names its seed, not a file: it runs the same unit anywhere.
            Assert.NotEmpty(results.Findings);
            foreach (var finding in results.Findings)
            {
                var args = finding.Replay.Split(' ')[(finding.Replay.Split(' ').ToList().IndexOf("--") + 1)..];
                var (replayCode, replayOut, replayErr) = RunSim([.. args, "--json", "--out", Path.Combine(dir.FullName, "reruns")]);
                Assert.True(replayCode == ExitCodes.Bug, replayErr + replayOut);
                Assert.Equal(finding.Hash, JsonDocument.Parse(replayOut.Trim().Split('\n')[^1]).RootElement.GetProperty("hash").GetString());
            }
        }

        Assert.Empty(seeds[0].Intersect(seeds[1]));
    }

    [Fact]
    public void AResumeOnAnotherDayGoesOnWithItsRecordedSeedBaseAndRefusesAnother()
    {
        var config = Config(dir, AutoYaml);
        var outDir = Path.Combine(dir.FullName, "resumed");
        var first = new DateTime(2026, 11, 23, 23, 58, 0, DateTimeKind.Utc);
        var (code, stdout, stderr) = Fuzz(first, "--config", config, "--out", outDir, "--workers", "1", "--resume");
        Assert.True(code == ExitCodes.Ok, stderr + stdout);

        var (again, againOut, againErr) = Fuzz(first.AddDays(1), "--config", config, "--out", outDir, "--workers", "1", "--resume");
        var (other, _, otherErr) = Fuzz(first.AddDays(1), "--config", config, "--out", outDir, "--resume", "--seed-base", "7");

        Assert.True(again == ExitCodes.Ok, againErr + againOut);
        var campaigns = Results(outDir).Campaigns;
        Assert.Equal([SeedBase.OfDate(new DateOnly(2026, 11, 23)), SeedBase.OfDate(new DateOnly(2026, 11, 23))], campaigns.Select(c => c.SeedBase));
        Assert.StartsWith("resumed: ", campaigns[1].SeedSource, StringComparison.Ordinal);
        Assert.Equal(ExitCodes.BadInput, other);
        Assert.Contains($"explores seed base {SeedBase.OfDate(new DateOnly(2026, 11, 23))}", otherErr, StringComparison.Ordinal);
        Assert.Equal(2, Results(outDir).Campaigns.Count);
    }

    [Fact]
    public void AnUntilBudgetStreamKeepsDrawingNewSeedsUntilTheWallBudgetEnds()
    {
        var config = Config(dir, """
            campaign:
              timeout: 60s
            scenarios:
              - name: heartbeat
                engines:
                  - engine: loop
                    strategies: [random]
                    iterations: until-budget
              - name: register
                engines:
                  - engine: loop
                    strategies: [random]
                    iterations: 2
            """);
        var outDir = Path.Combine(dir.FullName, "until-budget");

        // The budget counts from the start, worker start-up included (seconds on a loaded machine).
        var (code, stdout, stderr) = RunSim("fuzz", "--config", config, "--out", outDir, "--workers", "1", "--budget", "15s", "--seed-base", "1000");

        Assert.True(code == ExitCodes.Ok, stderr + stdout);
        var results = Results(outDir);
        var heartbeat = results.Iterations.Where(i => i.Scenario == "heartbeat").Select(i => i.Seed).Order().ToList();
        Assert.True(heartbeat.Count > 2, $"heartbeat ran {heartbeat.Count} unit(s) in its 15 s");
        Assert.Equal(Enumerable.Range(1000, heartbeat.Count).Select(s => (ulong)s), heartbeat);
        Assert.Equal([1000UL, 1001UL], results.Iterations.Where(i => i.Scenario == "register").Select(i => i.Seed).Order());
        Assert.Equal(Enumerable.Range(0, results.Iterations.Count).Select(i => (long)i), results.Iterations.Select(i => i.Unit).Order());
        Assert.InRange(results.Batches.Single().WallSeconds, 15, 40);
    }

    private static (int Code, string Stdout, string Stderr) Fuzz(DateTime now, params string[] args)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var code = Program.Run(["fuzz", .. args], new CliContext(stdout, stderr, () => now));
        return (code, stdout.ToString(), stderr.ToString());
    }
}
