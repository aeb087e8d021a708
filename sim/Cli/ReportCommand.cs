using System.CommandLine;
using System.Diagnostics;
using Sim.Report;
using Sim.Report.Mutation;
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
            Arity = ArgumentArity.ZeroOrMore,
        };
        var mutation = new Option<string[]>("--mutation")
        {
            Description = "Also show the mutation score per source folder from Stryker.NET runs: each DIR is a directory given to `dotnet stryker -O` (as tests/Sim.Oracles/mutate writes reports/mutation/<folder>/) or its mutation-report.json.",
            AllowMultipleArgumentsPerToken = true,
        };
        var equivalents = new Option<string>("--equivalents")
        {
            Description = "The equivalent-mutants list the mutation score discounts.",
            DefaultValueFactory = _ => EquivalentMutants.DefaultPath,
        };
        var outDir = new Option<string>("--out") { Description = "Where to write index.html and img/ (checked before the report is drawn).", DefaultValueFactory = _ => "report" };
        var absolute = new Option<bool>("--absolute-paths") { Description = "Name findings' files by absolute path in replay commands (default: relative to the report's directory)." };
        var command = new Command("report", Commands.Describe("Merge campaign results (shards) into one self-contained HTML page with ScottPlot charts: findings, planted defects, throughput, timelines, recovery."))
        {
            dirs, outDir, absolute, mutation, equivalents,
        };
        command.SetAction(parse =>
        {
            var started = Stopwatch.GetTimestamp();
            // The inputs first: a report of directories that do not hold any must not leave an empty report behind.
            var mutationSection = Mutation(parse.GetValue(mutation), parse.GetValue(equivalents)!);
            var directories = parse.GetValue(dirs) ?? [];
            if (directories.Length == 0 && mutationSection is null)
            {
                throw new BadInputException("name at least one results directory, or Stryker reports with --mutation");
            }

            var results = directories.Length > 0 ? ResultsReader.Read(directories) : new CampaignResults();
            var page = parse.GetValue(outDir)!;
            OutputDirectory.Prepare(page, "--out");
            foreach (var warning in results.Warnings)
            {
                cli.Stderr.WriteLine($"sim report: warning: {warning}");
            }

            var report = new HtmlReport(results, page, line => cli.Stderr.WriteLine($"sim report: {line}")) { AbsolutePaths = parse.GetValue(absolute), Mutation = mutationSection };
            var written = report.Write();
            var distinct = results.DistinctFindings();
            cli.Stdout.WriteLine($"read {results.Files.Count} file(s) from {results.Directories.Count} director(ies): {results.Iterations.Count} iterations, {results.Findings.Count} findings ({distinct.Count} distinct, {distinct.Count(d => !d.Planted)} unexpected), {results.DefectHunts.Count} defect searches");
            cli.Stdout.WriteLine($"wrote {written} with {report.Charts.Count} charts in {Stopwatch.GetElapsedTime(started).TotalSeconds:F1} s");
            return ExitCodes.Ok;
        });
        return command;
    }

    /// <summary>The mutation section, its reports read once here so that a bad one is bad input before anything is written.</summary>
    private static MutationSection? Mutation(string[]? reports, string equivalents)
    {
        if (reports is not { Length: > 0 })
        {
            return null;
        }

        try
        {
            var list = File.Exists(equivalents) || equivalents != EquivalentMutants.DefaultPath ? EquivalentMutants.Load(equivalents) : EquivalentMutants.Empty;
            var section = new MutationSection(reports, list);
            _ = section.Read();
            return section;
        }
        catch (InvalidDataException e)
        {
            throw new BadInputException($"--mutation: {e.Message}");
        }
    }
}
