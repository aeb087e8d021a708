using Sim.Report.Mutation;
using static Sim.Oracles.Mutation.ReportFixture;

namespace Sim.Oracles.Mutation;

/// <summary>The mutation score per folder, read from Stryker's JSON report and the equivalent-mutants list.</summary>
public sealed class MutationScoreTests : IDisposable
{
    private readonly ReportFixture fixture = new();

    public void Dispose() => fixture.Dispose();

    [Fact]
    public void TheScoreIsDetectedOverValidMutantsLessTheEquivalentOnes()
    {
        var report = fixture.Write(
            "run",
            M("Fleet/A.cs", 4, "Arithmetic mutation", "a - b", "Killed"),
            M("Fleet/A.cs", 5, "Equality mutation", "a <= b", "Survived"),
            M("Fleet/A.cs", 5, "Equality mutation", "a > b", "Timeout"),
            M("Fleet/B.cs", 4, "Statement mutation", ";", "NoCoverage"),
            M("Fleet/B.cs", 4, "Block removal mutation", "{}", "CompileError"),
            M("Fleet/B.cs", 5, "String mutation", "\"\"", "Ignored"),
            M("Futures/C.cs", 4, "Arithmetic mutation", "a - b", "Survived"));
        var list = fixture.WriteList("""{ "equivalent": [ { "file": "src/Fleet/A.cs", "line": 5, "mutator": "Equality mutation", "replacement": "a <= b", "reason": "a == b never reaches here" } ] }""");

        var (mutants, match) = MutationReports.Read([report], EquivalentMutants.Load(list));
        var warnings = match.Warnings;
        var scores = FolderScore.Of(mutants, match);

        Assert.Empty(warnings);
        var fleet = Assert.Single(scores, s => s.Folder == "Fleet");
        Assert.Equal((1, 1, 1, 1, 1, 1, 1), (fleet.Killed, fleet.Timeout, fleet.Survived, fleet.NoCoverage, fleet.CompileErrors, fleet.Ignored, fleet.Equivalent));
        Assert.Equal(5, fleet.Placed);
        Assert.Equal(100.0 * 2 / 3, fleet.Score!.Value, 6);
        Assert.Equal(0.0, Assert.Single(scores, s => s.Folder == "Futures").Score);
    }

    [Fact]
    public void PathsAreRepositoryRelativeWhicheverMachineWroteTheReportAndCarryTheOriginalCode()
    {
        var report = fixture.Write("run", M("Fleet/A.cs", 4, "Arithmetic mutation", "a - b", "Survived"));

        var mutant = Assert.Single(StrykerReport.Read(report, "/elsewhere"));

        Assert.Equal("src/Fleet/A.cs", mutant.File);
        Assert.Equal("Fleet", mutant.Folder);
        Assert.Equal("a + b", mutant.Original);
    }

    [Fact]
    public void AnEntryWhoseCodeMovedStillMatchesAndSaysItsLineIsStale()
    {
        var report = fixture.Write("run", M("Fleet/A.cs", 5, "Equality mutation", "a <= b", "Survived"));
        var list = fixture.WriteList("""{ "equivalent": [ { "file": "src/Fleet/A.cs", "line": 3, "mutator": "Equality mutation", "replacement": "a <= b", "reason": "r" } ] }""");

        var (mutants, match) = MutationReports.Read([report], EquivalentMutants.Load(list));
        var warnings = match.Warnings;

        Assert.Single(match.Equivalent);
        Assert.Contains(warnings, w => w.Contains("now matches line 5", StringComparison.Ordinal));
        Assert.Equal(1, FolderScore.Of(mutants, match).Single().Equivalent);
    }

    [Fact]
    public void AnEntryNamingItsOriginalCodeFollowsThatCodeWhenEditsAboveMoveIt()
    {
        // Two mutants with the same mutator and replacement: line 4's of `a + b`, line 5's of `a < b`. The entry was
        // written when `a < b` sat on line 4; the code moved down a line, and line 4 now holds another mutant of that kind.
        var report = fixture.Write(
            "run",
            M("Fleet/A.cs", 4, "Equality mutation", "a <= b", "Killed"),
            M("Fleet/A.cs", 5, "Equality mutation", "a <= b", "Survived"));
        var list = fixture.WriteList("""{ "equivalent": [ { "file": "src/Fleet/A.cs", "line": 4, "mutator": "Equality mutation", "replacement": "a <= b", "original": "a < b", "reason": "r" } ] }""");

        var (mutants, match) = MutationReports.Read([report], EquivalentMutants.Load(list));

        Assert.Empty(match.Warnings);
        Assert.Equal(5, Assert.Single(match.Equivalent).Line);
        Assert.Equal(1, FolderScore.Of(mutants, match).Single().Equivalent);

        // Code that is gone is gone, wherever a mutant of that kind now sits.
        var gone = fixture.WriteList("""{ "equivalent": [ { "file": "src/Fleet/A.cs", "line": 5, "mutator": "Equality mutation", "replacement": "a <= b", "original": "a > b", "reason": "r" } ] }""");
        var stale = MutationReports.Read([report], EquivalentMutants.Load(gone)).Match;
        Assert.Empty(stale.Equivalent);
        Assert.StartsWith("stale", Assert.Single(stale.Warnings), StringComparison.Ordinal);
    }

    [Fact]
    public void AnEntryNamingAKilledMutantOrNoMutantIsReportedAndNotCounted()
    {
        var report = fixture.Write(
            "run",
            M("Fleet/A.cs", 4, "Arithmetic mutation", "a - b", "Killed"),
            M("Fleet/A.cs", 5, "Equality mutation", "a <= b", "Survived"));
        var list = fixture.WriteList("""
            { "equivalent": [
              { "file": "src/Fleet/A.cs", "line": 4, "mutator": "Arithmetic mutation", "replacement": "a - b", "reason": "wrong" },
              { "file": "src/Fleet/A.cs", "line": 9, "mutator": "Statement mutation", "replacement": ";", "reason": "gone" },
              { "file": "src/Gateway/G.cs", "line": 9, "mutator": "Statement mutation", "replacement": ";", "reason": "another shard's" } ] }
            """);

        var match = MutationReports.Read([report], EquivalentMutants.Load(list)).Match;
        var warnings = match.Warnings;

        Assert.Empty(match.Equivalent);
        Assert.Equal(2, warnings.Count);
        Assert.Contains(warnings, w => w.Contains("the oracles detect (Killed)", StringComparison.Ordinal));
        Assert.Contains(warnings, w => w.StartsWith("stale", StringComparison.Ordinal) && w.Contains(":9 ", StringComparison.Ordinal));
    }

    [Fact]
    public void ShardReportsMergeKeepingEachFilesTestedCopy()
    {
        var fleet = fixture.Write("fleet", M("Fleet/A.cs", 4, "Arithmetic mutation", "a - b", "Killed"), M("Futures/C.cs", 4, "Arithmetic mutation", "a - b", "Ignored"));
        var futures = fixture.Write("futures", M("Fleet/A.cs", 4, "Arithmetic mutation", "a - b", "Ignored"), M("Futures/C.cs", 4, "Arithmetic mutation", "a - b", "Survived"));

        var scores = MutationReports.Read([fleet, futures], EquivalentMutants.Empty).Scores;

        Assert.Equal(["Fleet:100", "Futures:0"], scores.Select(s => $"{s.Folder}:{s.Score}"));
    }

    [Theory]
    [InlineData("""{ "equivalent": [ { "file": "src/Fleet/A.cs", "line": 5, "mutator": "Equality mutation", "replacement": "a <= b" } ] }""", "equivalent[0] needs a non-empty \"reason\"")]
    [InlineData("""{ "equivalent": [ { "file": "src/Fleet/A.cs", "mutator": "Equality mutation", "replacement": "", "reason": "r" } ] }""", "equivalent[0] needs a non-empty \"line\"")]
    [InlineData("""{ "other": [] }""", "expected an object with an \"equivalent\" array")]
    [InlineData("""{ "equivalent": [ """, "not valid JSON")]
    public void ABadListIsRefusedNamingTheEntry(string json, string expected)
    {
        var list = fixture.WriteList(json);

        var e = Assert.Throws<InvalidDataException>(() => EquivalentMutants.Load(list));

        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
        Assert.StartsWith(list, e.Message, StringComparison.Ordinal);
    }
}
