using System.Text.Json;

using Sim.Report.Mutation;

namespace Sim.Oracles.Mutation;

/// <summary>Writes small Stryker reports (the mutation-testing-elements shape Stryker.NET writes) for the tests.</summary>
internal sealed class ReportFixture : IDisposable
{
    public const string Source = "namespace X;\npublic static class Math2\n{\n    public static int Add(int a, int b) => a + b;\n    public static bool Lt(int a, int b) => a < b;\n}\n";

    public ReportFixture() => Directory.CreateDirectory(Root);

    public string Root { get; } = Path.Combine(Path.GetTempPath(), "sim-oracles-" + Path.GetRandomFileName());

    /// <summary>A mutant of <see cref="Source"/>: (file under src/, line, mutator, replacement, status).</summary>
    public static (string File, int Line, string Mutator, string Replacement, string Status) M(string file, int line, string mutator, string replacement, string status) =>
        (file, line, mutator, replacement, status);

    /// <summary>Writes DIR/reports/mutation-report.json as if Stryker ran on a machine whose checkout is /ci/checkout.</summary>
    public string Write(string name, params (string File, int Line, string Mutator, string Replacement, string Status)[] mutants)
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
                    mutatorName = m.Mutator,
                    replacement = m.Replacement,
                    location = new { start = new { line = m.Line, column = 44 }, end = new { line = m.Line, column = 49 } },
                    status = m.Status,
                }).ToList(),
            });
        var directory = Path.Combine(Root, name);
        Directory.CreateDirectory(Path.Combine(directory, "reports"));
        File.WriteAllText(Path.Combine(directory, "reports", StrykerReport.FileName), JsonSerializer.Serialize(new { schemaVersion = "2", projectRoot = "/ci/checkout/src", files }));
        return directory;
    }

    public string WriteList(string json)
    {
        var path = Path.Combine(Root, "equivalent-mutants.json");
        File.WriteAllText(path, json);
        return path;
    }

    public void Dispose() => Directory.Delete(Root, recursive: true);
}
