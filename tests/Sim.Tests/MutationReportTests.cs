using System.Text.Json;
using Sim.Shared;

namespace Sim.Tests;

/// <summary>`sim report --mutation`: the mutation score per source folder on the report page, from Stryker's reports.</summary>
public sealed class MutationReportTests : IDisposable
{
    private const string Source = "namespace X;\npublic static class Math2\n{\n    public static int Add(int a, int b) => a + b;\n    public static bool Less(int a, int b) => a < b;\n}\n";

    private readonly DirectoryInfo dir = Directory.CreateTempSubdirectory("sim-mutation-report-");

    public void Dispose() => dir.Delete(recursive: true);

    [Fact]
    public void ThePageShowsEachFoldersScoreAndLinksStrykersOwnReport()
    {
        var run = Stryker("Fleet", ("Fleet/Coordinator.cs", 4, "Killed"), ("Fleet/Coordinator.cs", 5, "Survived"), ("Fleet/FleetNode.cs", 4, "Killed"), ("Fleet/FleetNode.cs", 5, "Killed"));
        var list = Path.Combine(dir.FullName, "equivalent-mutants.json");
        File.WriteAllText(list, """{ "equivalent": [] }""");
        var page = Path.Combine(dir.FullName, "page");

        var (code, stdout, stderr) = CliTests.Sim("report", "--mutation", run, "--equivalents", list, "--out", page);

        Assert.True(code == ExitCodes.Ok, stderr + stdout);
        var html = File.ReadAllText(Path.Combine(page, "index.html"));
        Assert.Contains("<h2>Mutation score</h2>", html, StringComparison.Ordinal);
        Assert.Contains("<tr><td>Fleet</td><td class=\"n\">4</td><td class=\"n\">3</td>", html, StringComparison.Ordinal);
        Assert.Contains("75.0%", html, StringComparison.Ordinal);
        Assert.Contains("href=\"mutation/Fleet.html\"", html, StringComparison.Ordinal);
        Assert.True(File.Exists(Path.Combine(page, "mutation", "Fleet.html")));
        Assert.DoesNotContain("<h2>Findings</h2>", html, StringComparison.Ordinal);
    }

    [Fact]
    public void ADamagedStrykerReportIsBadInputAndWritesNoPage()
    {
        var run = Path.Combine(dir.FullName, "broken");
        Directory.CreateDirectory(Path.Combine(run, "reports"));
        File.WriteAllText(Path.Combine(run, "reports", "mutation-report.json"), "{ \"files\": ");
        var page = Path.Combine(dir.FullName, "page");

        var (code, _, stderr) = CliTests.Sim("report", "--mutation", run, "--out", page);

        Assert.Equal(ExitCodes.BadInput, code);
        Assert.StartsWith("sim: --mutation: ", stderr, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(page, "index.html")));
    }

    [Fact]
    public void AReportWithNeitherResultsNorMutationIsBadInput() =>
        Assert.Equal(ExitCodes.BadInput, CliTests.Sim("report", "--out", Path.Combine(dir.FullName, "page")).Code);

    /// <summary>A Stryker run's output directory (reports/mutation-report.json and .html), as Stryker.NET writes them.</summary>
    private string Stryker(string name, params (string File, int Line, string Status)[] mutants)
    {
        var files = mutants.GroupBy(m => m.File).ToDictionary(
            g => "/ci/checkout/src/" + g.Key,
            g => new
            {
                language = "cs",
                source = Source,
                mutants = g.Select((m, i) => new
                {
                    id = $"{g.Key}-{i}",
                    mutatorName = "Binary expression mutation",
                    replacement = "a - b",
                    location = new { start = new { line = m.Line, column = 44 }, end = new { line = m.Line, column = 49 } },
                    status = m.Status,
                }).ToList(),
            });
        var run = Path.Combine(dir.FullName, name);
        Directory.CreateDirectory(Path.Combine(run, "reports"));
        File.WriteAllText(Path.Combine(run, "reports", "mutation-report.json"), JsonSerializer.Serialize(new { schemaVersion = "2", projectRoot = "/ci/checkout/src", files }));
        File.WriteAllText(Path.Combine(run, "reports", "mutation-report.html"), "<html>stryker</html>");
        return run;
    }
}
