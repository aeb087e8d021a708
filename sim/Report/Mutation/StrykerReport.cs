using System.Text.Json;

namespace Sim.Report.Mutation;

/// <summary>One mutant of a Stryker JSON report (the mutation-testing-elements schema that Stryker.NET writes).</summary>
/// <param name="File">The mutated file, relative to the repository root (<c>src/Fleet/Coordinator.cs</c>).</param>
/// <param name="Line">The first line of the mutated code.</param>
/// <param name="Column">Its first column.</param>
/// <param name="Mutator">Stryker's mutator name (<c>Equality mutation</c>).</param>
/// <param name="Original">The code the mutant replaced, from the report's copy of the source.</param>
/// <param name="Replacement">The code it put in its place.</param>
/// <param name="Status">Stryker's verdict: Killed, Survived, NoCoverage, Timeout, CompileError, RuntimeError, Ignored, Pending.</param>
public sealed record Mutant(string File, int Line, int Column, string Mutator, string Original, string Replacement, string Status)
{
    /// <summary>The source folder the mutant is in: the directory under <c>src/</c> (<c>Fleet</c>).</summary>
    public string Folder => File.Split('/') is ["src", var folder, _, ..] ? folder : Path.GetDirectoryName(File)?.Replace('\\', '/') ?? "";

    /// <summary>Found by a test: a failing test or a hang (mutation-testing-elements' "detected").</summary>
    public bool Detected => Status is "Killed" or "Timeout";

    /// <summary>Valid but not found: the mutants an oracle or an equivalence note must account for.</summary>
    public bool Undetected => Status is "Survived" or "NoCoverage";
}

/// <summary>Reads Stryker's JSON report (<c>mutation-report.json</c>).</summary>
public static class StrykerReport
{
    public const string FileName = "mutation-report.json";

    /// <summary>
    /// Finds the report in <paramref name="path"/>: the file itself, or <c>DIR/reports/mutation-report.json</c>
    /// (where <c>dotnet stryker -O DIR</c> writes it), or <c>DIR/mutation-report.json</c>.
    /// </summary>
    public static string Locate(string path)
    {
        if (File.Exists(path))
        {
            return path;
        }

        foreach (var candidate in new[] { Path.Combine(path, "reports", FileName), Path.Combine(path, FileName) })
        {
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        throw new InvalidDataException(Directory.Exists(path)
            ? $"{path}: no Stryker report in it (expected reports/{FileName}: run tests/Sim.Oracles/mutate first)"
            : $"{path}: no such file or directory");
    }

    /// <summary>
    /// Reads every mutant of a report. File paths become relative to <paramref name="repositoryRoot"/> when they
    /// are absolute or relative to the report's project root.
    /// </summary>
    public static IReadOnlyList<Mutant> Read(string path, string repositoryRoot)
    {
        var file = Locate(path);
        try
        {
            using var document = JsonDocument.Parse(File.ReadAllText(file));
            var root = document.RootElement;
            var projectRoot = root.TryGetProperty("projectRoot", out var pr) && pr.ValueKind == JsonValueKind.String ? pr.GetString() : null;
            if (!root.TryGetProperty("files", out var files) || files.ValueKind != JsonValueKind.Object)
            {
                throw new InvalidDataException($"{file}: not a Stryker report (no \"files\" object)");
            }

            var mutants = new List<Mutant>();
            foreach (var entry in files.EnumerateObject())
            {
                var relative = Relative(entry.Name, projectRoot, repositoryRoot);
                var source = entry.Value.TryGetProperty("source", out var s) ? s.GetString() ?? "" : "";
                var lines = source.Split('\n');
                foreach (var m in entry.Value.GetProperty("mutants").EnumerateArray())
                {
                    mutants.Add(ReadMutant(relative, lines, m));
                }
            }

            return mutants;
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException)
        {
            throw new InvalidDataException($"{file}: not a readable Stryker report: {e.Message}", e);
        }
    }

    private static Mutant ReadMutant(string file, string[] lines, JsonElement m)
    {
        var location = m.GetProperty("location");
        var start = location.GetProperty("start");
        var end = location.GetProperty("end");
        var (line, column) = (start.GetProperty("line").GetInt32(), start.GetProperty("column").GetInt32());
        var original = Span(lines, line, column, end.GetProperty("line").GetInt32(), end.GetProperty("column").GetInt32());
        var replacement = m.TryGetProperty("replacement", out var r) ? r.GetString() ?? "" : "";
        return new Mutant(file, line, column, m.GetProperty("mutatorName").GetString() ?? "", original, replacement, m.GetProperty("status").GetString() ?? "");
    }

    /// <summary>The source text between two 1-based (line, column) positions, end exclusive.</summary>
    internal static string Span(string[] lines, int startLine, int startColumn, int endLine, int endColumn)
    {
        if (startLine < 1 || endLine > lines.Length || endLine < startLine)
        {
            return "";
        }

        if (startLine == endLine)
        {
            var text = lines[startLine - 1];
            var from = Math.Clamp(startColumn - 1, 0, text.Length);
            return text[from..Math.Clamp(endColumn - 1, from, text.Length)];
        }

        var first = lines[startLine - 1];
        var parts = new List<string> { first[Math.Clamp(startColumn - 1, 0, first.Length)..] };
        parts.AddRange(lines[startLine..(endLine - 1)]);
        var last = lines[endLine - 1];
        parts.Add(last[..Math.Clamp(endColumn - 1, 0, last.Length)]);
        return string.Join('\n', parts);
    }

    /// <summary>
    /// The path from the repository's <c>src/</c> on (the stack's project directory), whichever machine wrote the
    /// report: a nightly shard's report read on a laptop gives the same paths.
    /// </summary>
    private static string Relative(string name, string? projectRoot, string repositoryRoot)
    {
        var full = (Path.IsPathRooted(name) ? name : Path.Combine(projectRoot ?? repositoryRoot, name)).Replace('\\', '/');
        var src = full.LastIndexOf("/src/", StringComparison.Ordinal);
        return src >= 0 ? full[(src + 1)..] : Path.GetRelativePath(repositoryRoot, full).Replace('\\', '/');
    }
}
