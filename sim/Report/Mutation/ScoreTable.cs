using System.Globalization;
using System.Text;

namespace Sim.Report.Mutation;

/// <summary>Renders folder scores and survivor lists for people: a terminal table and Markdown.</summary>
public static class ScoreTable
{
    private static readonly string[] Header = ["folder", "mutants", "killed", "timeout", "survived", "no coverage", "compile errors", "equivalent", "ignored", "score"];

    public static string Text(IReadOnlyList<FolderScore> scores)
    {
        var rows = Rows(scores);
        var widths = Header.Select((h, i) => rows.Select(r => r[i].Length).Append(h.Length).Max()).ToArray();
        var text = new StringBuilder();
        foreach (var row in rows.Prepend(Header))
        {
            text.AppendLine(string.Join("  ", row.Select((cell, i) => i == 0 ? cell.PadRight(widths[i]) : cell.PadLeft(widths[i]))).TrimEnd());
        }

        text.AppendLine("score = (killed + timeout) / (killed + timeout + survived + no coverage - equivalent); compile errors and ignored (log-only) mutants are not scored");
        return text.ToString();
    }

    public static string Markdown(IReadOnlyList<FolderScore> scores)
    {
        var text = new StringBuilder();
        text.AppendLine("| " + string.Join(" | ", Header) + " |");
        text.AppendLine("|" + string.Concat(Header.Select((_, i) => i == 0 ? "---|" : "---:|")));
        foreach (var row in Rows(scores))
        {
            text.AppendLine("| " + string.Join(" | ", row) + " |");
        }

        return text.ToString();
    }

    /// <summary>The undetected mutants not declared equivalent, per folder and file, in line order.</summary>
    public static string Survivors(IReadOnlyList<Mutant> mutants, EquivalenceMatch match)
    {
        var text = new StringBuilder();
        foreach (var folder in mutants.Where(m => m.Undetected && !match.Equivalent.Contains(m)).GroupBy(m => m.Folder, StringComparer.Ordinal).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"## {folder.Key} ({folder.Count()} undetected)").AppendLine();
            foreach (var file in folder.GroupBy(m => m.File, StringComparer.Ordinal).OrderBy(g => g.Key, StringComparer.Ordinal))
            {
                text.AppendLine(CultureInfo.InvariantCulture, $"### {file.Key}").AppendLine();
                text.AppendLine("| line | mutator | original | replacement | status |").AppendLine("|---:|---|---|---|---|");
                foreach (var m in file.OrderBy(m => m.Line).ThenBy(m => m.Column))
                {
                    text.AppendLine(CultureInfo.InvariantCulture, $"| {m.Line} | {m.Mutator} | {Code(m.Original)} | {Code(m.Replacement)} | {m.Status} |");
                }

                text.AppendLine();
            }
        }

        return text.ToString();
    }

    private static List<string[]> Rows(IReadOnlyList<FolderScore> scores) =>
        scores.Select(s => new[]
        {
            s.Folder, N(s.Placed), N(s.Killed), N(s.Timeout), N(s.Survived), N(s.NoCoverage), N(s.CompileErrors), N(s.Equivalent), N(s.Ignored),
            s.Score is { } v ? v.ToString("F1", CultureInfo.InvariantCulture) + "%" : "n/a",
        }).ToList();

    private static string N(int n) => n.ToString(CultureInfo.InvariantCulture);

    /// <summary>One line of code in a Markdown table cell: whitespace collapsed, long text cut, pipes escaped.</summary>
    private static string Code(string code)
    {
        var flat = string.Join(' ', code.Split((char[])['\n', '\r', '\t', ' '], StringSplitOptions.RemoveEmptyEntries));
        if (flat.Length > 90)
        {
            flat = flat[..87] + "...";
        }

        return flat.Length == 0 ? "" : "`" + flat.Replace("|", "\\|", StringComparison.Ordinal).Replace("`", "'", StringComparison.Ordinal) + "`";
    }
}
