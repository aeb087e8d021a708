using System.Globalization;
using Spectre.Console;

namespace Sim.Campaign;

/// <summary>
/// The end of a campaign: its seed base, its distinct findings (one row per (scenario, invariant) with the count and
/// the first unit's replay command), and for every planted defect whether it was found, not found, or not run.
/// </summary>
public sealed class CampaignSummary(FuzzOptions options, SeedBase seeds, IReadOnlyList<IterationLine> iterations, IReadOnlyList<FindingLine> findings, long unitsThisRun, TimeSpan wall, bool stoppedEarly)
{
    /// <summary>Findings in units without planted defects: each one is a bug of the stack (or the testbed).</summary>
    public int Unexpected => findings.Count(f => !f.Planted);

    /// <summary>The command that replays a finding from where `sim fuzz` runs: its bug report or trace, else its seed.</summary>
    public static string ReplayCommand(string outDir, FindingLine finding) =>
        finding.ReplayFile is { } file ? $"dotnet run --project sim -- replay {Path.Combine(outDir, file)}" : finding.Replay;

    public void Write(TextWriter stdout, bool interactive)
    {
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(stdout),
            Ansi = interactive ? AnsiSupport.Detect : AnsiSupport.No,
            ColorSystem = interactive ? ColorSystemSupport.Detect : ColorSystemSupport.NoColors,
            Interactive = InteractionSupport.No,
        });
        if (!interactive)
        {
            console.Profile.Width = 250;
        }

        var rate = wall.TotalSeconds > 0 ? unitsThisRun / wall.TotalSeconds : 0;
        var how = stoppedEarly ? "interrupted (resume it with --resume)" : "finished";
        var seedsRun = iterations.Count == 0 ? "" : $", seeds {iterations.Min(i => i.Seed)}..{iterations.Max(i => i.Seed)}";
        console.WriteLine($"campaign {options.Config.Path} shard {options.Shard} {how}: {iterations.Count} unit(s) ({unitsThisRun} in this run, {wall.TotalSeconds:F1} s, {rate:F1} units/s, {options.Workers} worker(s)), {findings.Count} finding(s)");
        console.WriteLine($"seed base: {seeds}{seedsRun}");
        console.WriteLine($"results: {Path.Combine(options.OutDir, ResultsFile.FileName)}");
        if (iterations.Count > 0)
        {
            console.WriteLine($"worker time by engine: {EngineShares()}");
        }

        if (findings.Count > 0)
        {
            var table = new Table().Title("distinct findings").AddColumns("scenario", "invariant", "count", "planted", "first unit", "replay");
            foreach (var group in findings.GroupBy(f => (f.Scenario, f.Invariant)).OrderBy(g => g.All(f => f.Planted)).ThenBy(g => g.Min(f => f.Unit)))
            {
                var first = group.MinBy(f => f.Unit)!;
                var planted = group.Count(f => f.Planted);
                var plantedText = planted == group.Count() ? "yes" : planted == 0 ? "no" : $"{planted} of {group.Count()}";
                table.AddRow(Markup.Escape(group.Key.Scenario), Markup.Escape(group.Key.Invariant), group.Count().ToString(CultureInfo.InvariantCulture),
                    plantedText, first.Unit.ToString(CultureInfo.InvariantCulture), Markup.Escape(ReplayCommand(options.OutDir, first)));
            }

            console.Write(table);
        }

        if (options.Config.Defects.Count > 0)
        {
            console.Write(PlantedDefects());
        }

        console.WriteLine(Unexpected == 0
            ? "no unexpected finding"
            : $"{Unexpected} unexpected finding(s) in units without planted defects");
    }

    /// <summary>How the workers' time went to each engine (so a campaign owner sees that Coyote got its share).</summary>
    private string EngineShares()
    {
        var total = iterations.Sum(i => i.WallSeconds);
        return string.Join(", ", iterations.GroupBy(i => i.Engine).OrderBy(g => g.Key, StringComparer.Ordinal).Select(g =>
        {
            var seconds = g.Sum(i => i.WallSeconds);
            var share = total > 0 ? seconds / total : 0;
            return string.Create(CultureInfo.InvariantCulture, $"{g.Key} {g.Count()} unit(s) {seconds:F1} s ({share:P0})");
        }));
    }

    private Table PlantedDefects()
    {
        var table = new Table().Title("planted defects").AddColumns("defect", "scenario", "units", "first unit at", "found", "invariant", "first find");
        var bugs = iterations.Where(i => i.Verdict == "bug").Select(i => i.Unit).ToHashSet();
        foreach (var defect in options.Config.Defects)
        {
            var units = iterations.Where(i => i.Defects.Contains(defect.Name)).ToList();
            var first = units.Where(i => i.ElapsedSeconds is not null).MinBy(i => i.ElapsedSeconds);
            var found = findings.Where(f => f.Defects.Contains(defect.Name) && bugs.Contains(f.Unit)).MinBy(f => f.Unit);
            table.AddRow(Markup.Escape(defect.Name), Markup.Escape(defect.Scenario), units.Count.ToString(CultureInfo.InvariantCulture),
                first is null ? "" : $"{first.ElapsedSeconds!.Value.ToString("F1", CultureInfo.InvariantCulture)} s",
                found is not null ? "found" : units.Count == 0 ? "not run" : "NOT FOUND",
                Markup.Escape(found?.Invariant ?? ""), found is null ? "" : $"unit {found.Unit}");
        }

        return table;
    }
}
