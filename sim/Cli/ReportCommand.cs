using System.CommandLine;
using System.Diagnostics;
using Sim.Report;
using Sim.Shared;

namespace Sim.Cli;

/// <summary>`sim report DIR... [--out report]`: merges result directories into one HTML page with ScottPlot charts.</summary>
internal static class ReportCommand
{
    public static Command Build(CliContext cli)
    {
        var dirs = new Argument<string[]>("dirs")
        {
            Description = "Result directories (shards) holding results.jsonl from `sim fuzz` and/or defects.jsonl from `sim bench --defects`.",
            Arity = ArgumentArity.OneOrMore,
        };
        var outDir = new Option<string>("--out") { Description = "Where to write index.html and img/ (checked before the report is drawn).", DefaultValueFactory = _ => "report" };
        var absolute = new Option<bool>("--absolute-paths") { Description = "Name findings' files by absolute path in replay commands (default: relative to the report's directory)." };
        var command = new Command("report", Commands.Describe("Merge campaign results (shards) into one self-contained HTML page with ScottPlot charts: findings, planted defects, throughput, timelines, recovery."))
        {
            dirs, outDir, absolute,
        };
        command.SetAction(parse =>
        {
            var started = Stopwatch.GetTimestamp();
            // The results first: a report of directories that do not hold any must not leave an empty report behind.
            var results = ResultsReader.Read(parse.GetValue(dirs)!);
            var page = parse.GetValue(outDir)!;
            OutputDirectory.Prepare(page, "--out");
            foreach (var warning in results.Warnings)
            {
                cli.Stderr.WriteLine($"sim report: warning: {warning}");
            }

            var report = new HtmlReport(results, page, line => cli.Stderr.WriteLine($"sim report: {line}")) { AbsolutePaths = parse.GetValue(absolute) };
            var written = report.Write();
            var distinct = results.DistinctFindings();
            cli.Stdout.WriteLine($"read {results.Files.Count} file(s) from {results.Directories.Count} director(ies): {results.Iterations.Count} iterations, {results.Findings.Count} findings ({distinct.Count} distinct, {distinct.Count(d => !d.Planted)} unexpected), {results.DefectHunts.Count} defect searches");
            cli.Stdout.WriteLine($"wrote {written} with {report.Charts.Count} charts in {Stopwatch.GetElapsedTime(started).TotalSeconds:F1} s");
            return ExitCodes.Ok;
        });
        return command;
    }
}
