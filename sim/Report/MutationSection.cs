using System.Globalization;
using System.Net;
using System.Text;
using Sim.Report.Mutation;

namespace Sim.Report;

/// <summary>
/// The report's mutation-score section (<c>sim report --mutation DIR...</c>): the score of every source folder
/// from Stryker.NET's reports (shards merged), against the checked-in equivalent-mutants list, with each run's
/// own HTML report copied beside the page and linked from its folders' rows.
/// </summary>
/// <param name="Reports">Stryker's <c>mutation-report.json</c> files or the directories given to <c>dotnet stryker -O</c>.</param>
/// <param name="Equivalents">The equivalent-mutants list.</param>
public sealed record MutationSection(IReadOnlyList<string> Reports, EquivalentMutants Equivalents)
{
    /// <summary>Scores the reports; throws <see cref="InvalidDataException"/> naming a report that cannot be read.</summary>
    public MutationReports Read() => MutationReports.Read(Reports, Equivalents);

    public void Write(StringBuilder html, string outDirectory)
    {
        var reports = Read();
        var links = CopyHtmlReports(outDirectory);
        html.Append("<h2>Mutation score</h2>\n<p>Stryker.NET's mutants of <code>src/</code>, run against the oracle suite (<code>tests/Sim.Oracles</code>). ")
            .Append("Score = (killed + timeout) / (killed + timeout + survived + no coverage − equivalent); compile errors and ignored (log-only) mutants are not scored. ")
            .Append("Equivalent mutants are listed, with the reason, in <code>tests/Sim.Oracles/equivalent-mutants.json</code>.</p>\n");
        html.Append("<table>\n<tr><th>folder</th><th>mutants</th><th>killed</th><th>timeout</th><th>survived</th><th>no coverage</th><th>equivalent</th><th>compile errors</th><th>score</th><th>Stryker's report</th></tr>\n");
        foreach (var score in reports.Scores)
        {
            var value = score.Score is { } s ? s.ToString("F1", CultureInfo.InvariantCulture) + "%" : "n/a";
            html.Append("<tr><td>").Append(Encode(score.Folder)).Append("</td>")
                .Append(Cells(score.Placed, score.Killed, score.Timeout, score.Survived, score.NoCoverage, score.Equivalent, score.CompileErrors))
                .Append("<td class=\"n\">").Append(score.Score < 80 ? $"<span class=\"bad\">{value}</span>" : value).Append("</td><td>")
                .Append(links.TryGetValue(score.Folder, out var link) ? $"<a href=\"{Encode(link)}\">{Encode(link)}</a>" : "-").Append("</td></tr>\n");
        }

        html.Append("</table>\n");
        if (reports.Match.Warnings.Count > 0)
        {
            html.Append("<p class=\"note\">Warnings: ").Append(Encode(string.Join("; ", reports.Match.Warnings))).Append("</p>\n");
        }
    }

    /// <summary>Copies each run's <c>mutation-report.html</c> to <c>mutation/&lt;run&gt;.html</c>; returns the link for each folder it scored.</summary>
    private Dictionary<string, string> CopyHtmlReports(string outDirectory)
    {
        var links = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var report in Reports)
        {
            var json = Directory.Exists(report) ? Path.Combine(report, "reports", "mutation-report.json") : report;
            var source = Path.ChangeExtension(json, ".html");
            if (!File.Exists(source))
            {
                continue;
            }

            var run = Directory.Exists(report) ? Path.GetFileName(Path.GetFullPath(report).TrimEnd(Path.DirectorySeparatorChar)) : Path.GetFileNameWithoutExtension(report);
            var link = $"mutation/{run}.html";
            Directory.CreateDirectory(Path.Combine(outDirectory, "mutation"));
            File.Copy(source, Path.Combine(outDirectory, link), overwrite: true);
            foreach (var folder in MutationReports.Read([report], Equivalents).Scores.Select(s => s.Folder))
            {
                links.TryAdd(folder, link);
            }
        }

        return links;
    }

    private static string Cells(params int[] values) => string.Concat(values.Select(v => $"<td class=\"n\">{v.ToString(CultureInfo.InvariantCulture)}</td>"));

    private static string Encode(string text) => WebUtility.HtmlEncode(text);
}
