using System.CommandLine;
using System.Diagnostics;

namespace Sim.Report;

/// <summary>`sim report DIR... [--out report]`: merges result directories into one HTML page with ScottPlot charts.</summary>
public static class ReportCommand
{
    public static Command Build(TextWriter stdout, TextWriter stderr)
    {
        var dirs = new Argument<string[]>("dirs")
        {
            Description = "Result directories (shards) holding results.jsonl from `sim fuzz` and/or defects.jsonl from `sim bench --defects`.",
            Arity = ArgumentArity.OneOrMore,
        };
        var outDir = new Option<string>("--out") { Description = "Where to write index.html and img/.", DefaultValueFactory = _ => "report" };
        var command = new Command("report", "Merge campaign results (shards) into one self-contained HTML page with ScottPlot charts: findings, planted defects, throughput, timelines, recovery.")
        {
            dirs, outDir,
        };
        command.SetAction(parse =>
        {
            var started = Stopwatch.GetTimestamp();
            var results = ResultsReader.Read(parse.GetValue(dirs)!);
            foreach (var warning in results.Warnings)
            {
                stderr.WriteLine($"sim report: warning: {warning}");
            }

            var report = new HtmlReport(results, parse.GetValue(outDir)!, line => stderr.WriteLine($"sim report: {line}"));
            var page = report.Write();
            var distinct = results.DistinctFindings();
            stdout.WriteLine($"read {results.Files.Count} file(s) from {results.Directories.Count} director(ies): {results.Iterations.Count} iterations, {results.Findings.Count} findings ({distinct.Count} distinct, {distinct.Count(d => !d.Planted)} unexpected), {results.DefectHunts.Count} defect searches");
            stdout.WriteLine($"wrote {page} with {report.Charts.Count} charts in {Stopwatch.GetElapsedTime(started).TotalSeconds:F1} s");
            return Cli.ExitCodes.Ok;
        });
        return command;
    }
}
