using System.Text;
using Sim.Campaign;
using Sim.Cli;
using Sim.Shared;

namespace Sim.Tests.Campaign;

/// <summary>results.jsonl read back after a writer was killed: cut lines are skipped and counted, and appending goes on cleanly.</summary>
public sealed class ResultsFileTests : IDisposable
{
    private readonly DirectoryInfo dir = Directory.CreateTempSubdirectory("sim-results-");

    public void Dispose() => dir.Delete(recursive: true);

    private string PathOf => Path.Combine(dir.FullName, ResultsFile.FileName);

    [Fact]
    public void ATruncatedLastLineIsSkippedCountedAndCutBeforeAppending()
    {
        var ok = Iteration(0, "ok");
        File.WriteAllText(PathOf, Line(Campaign()) + Line(ok) + Line(Iteration(1, "ok"))[..40]);

        var read = ResultsFile.Read(PathOf);

        Assert.Equal(1, read.Truncated);
        Assert.Equal([0L], read.Iterations.Select(i => i.Unit));
        Assert.Single(read.Campaigns);
        using (var writer = new ResultsWriter(PathOf, read.CompleteLength))
        {
            writer.Append(Iteration(2, "ok"));
        }

        var again = ResultsFile.Read(PathOf);
        Assert.Equal(0, again.Truncated);
        Assert.Equal([0L, 2L], again.Iterations.Select(i => i.Unit));
        Assert.Equal(ResultLines.Serialize(ok), ResultLines.Serialize(again.Iterations[0]));
    }

    [Fact]
    public void ABugWhoseFindingLineWasCutRunsAgain()
    {
        var finding = new FindingLine
        {
            Unit = 1,
            Scenario = "register",
            Engine = "loop",
            Strategy = "random",
            Profile = null,
            Defects = [],
            Planted = false,
            Seed = 2,
            Invariant = "no-lost-acknowledged-write",
            Message = "lost",
            Hash = "0123456789abcdef",
            Replay = "dotnet run --project sim -- run register --seed 2 --strategy random",
            Files = [],
        };
        File.WriteAllText(PathOf, Line(Campaign()) + Line(Iteration(0, "ok")) + Line(Iteration(1, "bug")) + Line(finding)[..30]);

        var read = ResultsFile.Read(PathOf);

        Assert.Equal([0L], read.Iterations.Select(i => i.Unit));
        Assert.Empty(read.Findings);
        Assert.Equal(2, read.Truncated);
        Assert.Equal(Encoding.UTF8.GetByteCount(Line(Campaign()) + Line(Iteration(0, "ok"))), read.CompleteLength);
    }

    [Fact]
    public void ACorruptLineInTheMiddleNamesItsLine()
    {
        File.WriteAllText(PathOf, Line(Campaign()) + "{\"type\":\"iteration\",\"unit\":\n" + Line(Iteration(0, "ok")));

        var error = Assert.Throws<BadInputException>(() => ResultsFile.Read(PathOf));

        Assert.StartsWith($"{PathOf}:2: not a campaign result line", error.Message, StringComparison.Ordinal);
    }

    private static string Line(object line) => ResultLines.Serialize(line) + "\n";

    private static CampaignLine Campaign() => new() { Config = "scenarios.yaml", ConfigHash = "0123456789abcdef", Shard = "0/1", Budget = null, Workers = 2, Resumed = false, StartedUtc = "2026-11-23T15:00:00Z" };

    private static IterationLine Iteration(long unit, string verdict) => new()
    {
        Unit = unit,
        Scenario = "register",
        Engine = "loop",
        Strategy = "random",
        Profile = "chaos",
        Defects = [],
        Planted = false,
        Seed = (ulong)unit + 1,
        Verdict = verdict,
        Invariant = verdict == "ok" ? null : "no-lost-acknowledged-write",
        Message = null,
        Hash = "0123456789abcdef",
        WallSeconds = 0.05,
        VirtualSeconds = 40,
        Steps = 3000,
        Worker = 1,
    };
}
