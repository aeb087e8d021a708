using Sim.Report.Mutation;
using static Sim.Oracles.Mutation.ReportFixture;

namespace Sim.Oracles.Mutation;

/// <summary>The `score` and `survivors` commands, as the mutate script and the nightly job call them.</summary>
public sealed class ScoreCommandTests : IDisposable
{
    private readonly ReportFixture fixture = new();

    public void Dispose() => fixture.Dispose();

    [Fact]
    public void ScorePrintsOneRowPerFolderAndFailsUnderTheMinimum()
    {
        var report = fixture.Write("run", M("Fleet/A.cs", 4, "Arithmetic mutation", "a - b", "Killed"), M("Fleet/A.cs", 5, "Equality mutation", "a <= b", "Survived"));
        var list = fixture.WriteList("""{ "equivalent": [] }""");

        var (code, output, error) = Run("score", report, "--equivalents", list, "--min-score", "80");

        Assert.Equal(1, code);
        Assert.Matches(@"Fleet\s+2\s+1\s+0\s+1\s+0\s+0\s+0\s+0\s+50\.0%", output);
        Assert.Contains("Fleet: 50.0% is under --min-score 80", error, StringComparison.Ordinal);
        Assert.Equal(0, Run("score", report, "--equivalents", list, "--min-score", "50").Code);
    }

    [Fact]
    public void MarkdownAndJsonCarryTheSameFigures()
    {
        var report = fixture.Write("run", M("Register/R.cs", 4, "Arithmetic mutation", "a - b", "Killed"));
        var list = fixture.WriteList("""{ "equivalent": [] }""");

        Assert.Contains("| Register | 1 | 1 | 0 | 0 | 0 | 0 | 0 | 0 | 100.0% |", Run("score", report, "--equivalents", list, "--format", "markdown").Output, StringComparison.Ordinal);
        Assert.Contains("\"Folder\":\"Register\",\"Placed\":1,\"Killed\":1", Run("score", report, "--equivalents", list, "--format", "json").Output, StringComparison.Ordinal);
    }

    [Fact]
    public void SurvivorsListsTheUndetectedMutantsWithTheirCodeButNotTheEquivalentOnes()
    {
        var report = fixture.Write(
            "run",
            M("Fleet/A.cs", 4, "Arithmetic mutation", "a - b", "Survived"),
            M("Fleet/A.cs", 5, "Equality mutation", "a <= b", "NoCoverage"),
            M("Fleet/A.cs", 5, "Equality mutation", "a > b", "Killed"));
        var list = fixture.WriteList("""{ "equivalent": [ { "file": "src/Fleet/A.cs", "line": 5, "mutator": "Equality mutation", "replacement": "a <= b", "reason": "r" } ] }""");

        var output = Run("survivors", report, "--equivalents", list).Output;

        Assert.Contains("## Fleet (1 undetected)", output, StringComparison.Ordinal);
        Assert.Contains("| 4 | Arithmetic mutation | `a + b` | `a - b` | Survived |", output, StringComparison.Ordinal);
        Assert.DoesNotContain("a <= b", output, StringComparison.Ordinal);
        Assert.DoesNotContain("a > b", output, StringComparison.Ordinal);
    }

    [Fact]
    public void AMissingReportOrAnUnknownFolderIsBadInputNamingIt()
    {
        var report = fixture.Write("run", M("Fleet/A.cs", 4, "Arithmetic mutation", "a - b", "Killed"));
        var missing = Path.Combine(fixture.Root, "nothing-here");

        var (code, _, error) = Run("score", missing);
        Assert.Equal(2, code);
        Assert.Contains($"{missing}: no such file or directory", error, StringComparison.Ordinal);

        (code, _, error) = Run("score", report, "--folder", "Gateway");
        Assert.Equal(2, code);
        Assert.Contains("no mutant of folder(s) Gateway", error, StringComparison.Ordinal);

        Assert.Equal(2, Run("score", report, "--format", "pdf").Code);
    }

    private static (int Code, string Output, string Error) Run(params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var code = ScoreCommand.Run(args, output, error);
        return (code, output.ToString(), error.ToString());
    }
}
