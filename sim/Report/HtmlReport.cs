using System.Globalization;
using System.Net;
using System.Text;
using Sim.Bench;
using Sim.Campaign;
using Sim.Engine;
using Sim.Scenarios;
using Sim.Stack.Defects;
using Sim.Worlds;

namespace Sim.Report;

/// <summary>
/// Writes the report: DIR/index.html and its charts in DIR/img/. The page is plain HTML with inline CSS and relative
/// image links, so the directory is self-contained (copy it, attach it to a CI run, open it from disk).
/// </summary>
public sealed class HtmlReport(CampaignResults results, string outDirectory, Action<string> progress)
{
    /// <summary>Runs per scenario whose heals give the recovery-time samples: the representative run and the next seeds.</summary>
    public const int RecoveryRuns = 5;

    private readonly StringBuilder html = new();
    private readonly Charts charts = new(outDirectory);

    public List<Chart> Charts { get; } = [];

    /// <summary>Name findings' files by absolute path (default: relative to the report's directory).</summary>
    public bool AbsolutePaths { get; init; }

    /// <summary>Mutation scores to show (<c>sim report --mutation</c>), if any.</summary>
    public MutationSection? Mutation { get; init; }

    /// <summary>Writes the page and its images; returns the page's path.</summary>
    public string Write()
    {
        var images = Path.Combine(outDirectory, Sim.Report.Charts.ImageFolder);
        Directory.CreateDirectory(images);
        foreach (var stale in Directory.GetFiles(images, "*.png"))
        {
            File.Delete(stale);
        }

        Header();
        if (results.Directories.Count > 0)
        {
            Summary();
            Findings();
            PlantedDefects();
            Throughput();
            TimelinesAndRecovery();
        }

        Mutation?.Write(html, outDirectory);
        html.Append("</body>\n</html>\n");
        var page = Path.Combine(outDirectory, "index.html");
        File.WriteAllText(page, html.ToString());
        return page;
    }

    // ---- sections -------------------------------------------------------------------------------------

    private void Header()
    {
        html.Append("""
            <!DOCTYPE html>
            <html lang="en">
            <head>
            <meta charset="utf-8">
            <title>Sim reliability report</title>
            <style>
            body { font-family: system-ui, sans-serif; margin: 2em auto; max-width: 1150px; color: #222; line-height: 1.4; }
            h1 { margin-bottom: 0.2em; } h2 { margin-top: 2em; border-bottom: 1px solid #ccc; }
            table { border-collapse: collapse; margin: 0.8em 0; font-size: 0.92em; }
            th, td { border: 1px solid #ccc; padding: 0.25em 0.6em; text-align: left; vertical-align: top; }
            th { background: #f3f3f3; } td.n { text-align: right; font-variant-numeric: tabular-nums; }
            code { font-size: 0.9em; background: #f6f6f6; padding: 0 0.2em; overflow-wrap: anywhere; } table.wide { width: 100%; }
            figure { margin: 1em 0; } figcaption { font-size: 0.9em; color: #555; } img { max-width: 100%; border: 1px solid #ddd; }
            .bad { color: #b00; font-weight: bold; } .ok { color: #070; } .note { color: #555; font-size: 0.92em; }
            </style>
            </head>
            <body>
            <h1>Sim reliability report</h1>

            """);
    }

    private void Summary()
    {
        var distinct = results.DistinctFindings();
        var unexpected = distinct.Count(d => !d.Planted);
        var verdicts = results.Iterations.GroupBy(i => i.Record.Verdict).OrderBy(g => g.Key, StringComparer.Ordinal).Select(g => $"{g.Count()} {g.Key}");
        var configs = results.Campaigns.Select(c => (c.Record.Config, c.Record.ConfigHash)).Distinct().Select(c => $"{c.Config ?? "?"} ({c.ConfigHash ?? "no hash"})").ToList();
        var shards = results.Shards();
        var bases = results.SeedBases();
        html.Append("<p class=\"note\">Merged from ").Append(Encode(string.Join(", ", results.Directories))).Append(". Times are wall-clock seconds unless marked virtual.</p>\n");
        html.Append("<table>\n");
        Row("campaign configs", configs.Count == 0 ? "none (no campaign records)" : string.Join("; ", configs));
        Row("seed base", bases.Count == 0 ? "not recorded" : string.Join("; ", bases.Select(b => $"{b.Base} ({b.Source})")));
        Row("units run", results.Iterations.Count == 0 ? "0" : $"{results.Iterations.Count}: {string.Join(", ", verdicts)}; seeds {results.Iterations.Min(i => i.Record.Seed)}–{results.Iterations.Max(i => i.Record.Seed)}");
        Row("shards", shards.Count == 0 ? "-" : string.Join(", ", shards) + MissingShards(shards));
        Row("campaign runs", $"{results.Campaigns.Count} start(s), {results.Campaigns.Count(c => c.Record.Resumed)} of them resumed; {results.Batches.Count} finished batch(es)");
        Row("wall time", results.Batches.Count == 0 ? "-" : $"{Seconds(results.Batches.Sum(b => b.Record.WallSeconds))} over all batches; longest shard {Seconds(results.Batches.GroupBy(b => b.Record.Shard ?? b.File).Max(g => g.Sum(b => b.Record.WallSeconds)))}");
        Row("worker time", $"{Seconds(results.Iterations.Sum(i => i.Record.WallSeconds))} spent in units; {Seconds(results.Iterations.Sum(i => i.Record.VirtualSeconds ?? 0))} virtual time simulated");
        var findings = $"{distinct.Count} ({unexpected} unexpected, {distinct.Count - unexpected} from planted defects) from {results.Findings.Count} finding(s)";
        html.Append("<tr><th>distinct findings</th><td>").Append(unexpected > 0 ? $"<span class=\"bad\">{Encode(findings)}</span>" : Encode(findings)).Append("</td></tr>\n");
        Row("defect searches", results.DefectHunts.Count == 0 ? "none (no defects.jsonl)" : $"{results.DefectHunts.Count} (found in {results.DefectHunts.Count(h => h.Found)}), {results.DefectHunts.Select(h => h.Defect).Distinct().Count()} defect(s)");
        Row("files", string.Join("; ", results.Files.Select(f => $"{f.File}: {f.Records} records")));
        if (results.Warnings.Count > 0)
        {
            Row("warnings", string.Join("; ", results.Warnings));
        }

        html.Append("</table>\n");
    }

    private void Findings()
    {
        html.Append("<h2>Findings</h2>\n");
        var distinct = results.DistinctFindings();
        if (distinct.Count == 0)
        {
            html.Append("<p class=\"ok\">No findings.</p>\n");
            return;
        }

        html.Append("<p>One row per distinct (scenario, invariant), with the first unit that found it and the commands that replay it: ")
            .Append("<code>sim replay FILE</code> replays its bug report or Coyote trace and checks the event-log hash; ")
            .Append(AbsolutePaths ? "files are named by absolute path. " : "files are named relative to this page's directory, so run it from there (<code>sim</code> is the built executable, or <code>dotnet run --project CHECKOUT/sim --</code>; <code>sim report --absolute-paths</code> names them by absolute path). ")
            .Append("The seed command runs the same unit again from its seed, from the root of any checkout.</p>\n");
        FindingKind(distinct.Where(d => !d.Planted).ToList(), planted: false);
        FindingKind(distinct.Where(d => d.Planted).ToList(), planted: true);
    }

    /// <summary>The unexpected findings, or those of planted defects: their table and their chart against iterations.</summary>
    private void FindingKind(IReadOnlyList<DistinctFinding> distinct, bool planted)
    {
        html.Append(planted ? "<h3>From planted defects (expected)</h3>\n" : "<h3>Unexpected: bugs of the stack or the testbed</h3>\n");
        if (distinct.Count == 0)
        {
            html.Append(planted ? "<p class=\"note\">No findings from planted defects.</p>\n" : "<p class=\"ok\">No unexpected findings: every finding came from a planted defect.</p>\n");
            return;
        }

        html.Append("<table class=\"wide\">\n<tr><th>scenario</th><th>invariant</th><th>count</th><th>planted</th><th>engine/strategy</th><th>first unit</th><th>message</th></tr>\n");
        foreach (var f in distinct)
        {
            var message = f.First.Message ?? "";
            html.Append("<tr><td>").Append(Encode(f.Scenario)).Append("</td><td>").Append(Encode(f.Invariant)).Append("</td><td class=\"n\">").Append(f.Count)
                .Append("</td><td>").Append(f.Planted ? "yes: " + Encode(string.Join(", ", f.First.Defects)) : "<span class=\"bad\">no</span>")
                .Append("</td><td>").Append(Encode(string.Join(", ", f.Engines))).Append("</td><td class=\"n\">").Append(f.First.Unit).Append(" (seed ").Append(f.First.Seed)
                .Append(")</td><td>").Append(Encode(message.Length > 240 ? message[..240] + "…" : message)).Append("</td></tr>\n")
                .Append("<tr><td colspan=\"7\">");
            if (f.First.ReplayFile is { } file)
            {
                html.Append("replay: <code>sim replay ").Append(Encode(ReplayPath(f.Directory, file))).Append("</code><br>");
            }

            html.Append("seed: <code>").Append(Encode(f.First.Replay)).Append("</code></td></tr>\n");
        }

        html.Append("</table>\n");
        if (charts.FindingsOverIterations(results, planted) is { } chart)
        {
            Figure(chart);
        }
    }

    /// <summary>A finding's file, relative to the report's directory or absolute.</summary>
    private string ReplayPath(string resultsDirectory, string file)
    {
        var full = Path.GetFullPath(Path.Combine(resultsDirectory, file));
        return (AbsolutePaths ? full : Path.GetRelativePath(Path.GetFullPath(outDirectory), full)).Replace('\\', '/');
    }

    private void PlantedDefects()
    {
        html.Append("<h2>Planted defects</h2>\n");
        var planted = results.IterationsInUnitOrder.Where(i => i.Record.Planted).ToList();
        var configured = results.PlantedDefects();
        if (results.DefectHunts.Count > 0)
        {
            html.Append("<p>From <code>sim bench --defects</code>: each defect of the catalogue planted in its scenario and searched for by each engine and strategy ")
                .Append("from several starting seeds (loop: seeds s, s+1, …; coyote: Coyote's random seed s), within an iteration budget. ")
                .Append("Medians are over the searches that found it.</p>\n");
            DefectSearches(results.DefectHunts);
        }
        else if (planted.Count > 0)
        {
            html.Append("<p>No <code>defects.jsonl</code> was given, so the searches are the campaign's own: each planted stream (a defect, an engine and a strategy) ")
                .Append("runs seeds s, s+1, …; a search from seed s runs the stream's units from s on until one finds the defect, and its time is the sum of ")
                .Append("those units' wall times. A search that reaches the end of the stream without a find counts as not found. ")
                .Append("<code>sim bench --defects --out DIR</code> gives the same figures with a budget per search.</p>\n");
            DefectSearches(CampaignSearches(planted));
        }
        else if (configured.Count == 0)
        {
            html.Append("<p class=\"note\">No defects.jsonl in the directories given and no defect planted in the campaign: run <code>sim bench --defects --out DIR</code> and name DIR here to chart the bug-finding benchmark.</p>\n");
        }

        if (configured.Count > 0)
        {
            PlantedInCampaign(planted, configured);
        }
    }

    /// <summary>How the campaign's planted units fared, per defect and engine/strategy; a defect none of whose units ran is "not run".</summary>
    private void PlantedInCampaign(List<Placed<IterationLine>> planted, IReadOnlyList<string> configured)
    {
        html.Append("<h3>In the campaign</h3>\n<p>Units with a defect planted, per defect and engine/strategy: iterations run, iterations that found it, and iterations until the first find. ")
            .Append("A defect the campaign plants but none of whose units ran (the budget ended first) is <b>not run</b>: neither found nor missed.</p>\n");
        html.Append("<table>\n<tr><th>defects</th><th>scenario</th><th>engine/strategy</th><th>iterations</th><th>found in</th><th>first found after</th></tr>\n");
        foreach (var g in planted.GroupBy(i => (Defects: string.Join(",", i.Record.Defects), i.Record.Scenario, Series: $"{i.Record.Engine}/{i.Record.Strategy}")))
        {
            var list = g.ToList();
            var first = list.FindIndex(i => i.Record.Verdict != "ok");
            html.Append("<tr><td>").Append(Encode(g.Key.Defects)).Append("</td><td>").Append(Encode(g.Key.Scenario)).Append("</td><td>").Append(Encode(g.Key.Series))
                .Append("</td><td class=\"n\">").Append(list.Count).Append("</td><td class=\"n\">").Append(list.Count(i => i.Record.Verdict != "ok"))
                .Append("</td><td class=\"n\">").Append(first < 0 ? "<span class=\"bad\">not found</span>" : $"{first + 1} iteration(s)").Append("</td></tr>\n");
        }

        foreach (var defect in configured.Where(d => !planted.Any(i => i.Record.Defects.Contains(d))))
        {
            html.Append("<tr><td>").Append(Encode(defect)).Append("</td><td>").Append(Encode(ScenarioCatalog.HomeOf(defect)?.Name ?? "?"))
                .Append("</td><td>-</td><td class=\"n\">0</td><td class=\"n\">-</td><td class=\"n\"><b>not run</b></td></tr>\n");
        }

        html.Append("</table>\n");
    }

    /// <summary>The table and spread charts of searches for planted defects.</summary>
    private void DefectSearches(IReadOnlyList<DefectBenchRecord> searches)
    {
        html.Append("<table>\n<tr><th>defect</th><th>scenario</th><th>engine</th><th>strategy</th><th>found</th><th>median iterations</th><th>iterations (min–max)</th><th>median wall (s)</th></tr>\n");
        foreach (var g in searches.GroupBy(h => (h.Defect, h.Scenario, h.Engine, h.Strategy)))
        {
            var found = g.Where(h => h.Found).ToList();
            var stats = FindingStats.Of(g.Count(), found.Select(h => (h.Iterations, h.WallSeconds)));
            html.Append("<tr><td>").Append(Encode(g.Key.Defect)).Append("</td><td>").Append(Encode(g.Key.Scenario)).Append("</td><td>").Append(Encode(g.Key.Engine))
                .Append("</td><td>").Append(Encode(g.Key.Strategy)).Append("</td><td class=\"n\">").Append(stats.Found < stats.Total ? $"<span class=\"bad\">{stats.Found}/{stats.Total}</span>" : $"{stats.Found}/{stats.Total}")
                .Append("</td><td class=\"n\">").Append(Number(stats.MedianIterations, "G4")).Append("</td><td class=\"n\">")
                .Append(found.Count == 0 ? "-" : $"{found.Min(h => h.Iterations)}–{found.Max(h => h.Iterations)}")
                .Append("</td><td class=\"n\">").Append(Number(stats.MedianWallSeconds, "F3")).Append("</td></tr>\n");
        }

        html.Append("</table>\n");
        foreach (var defect in searches.GroupBy(h => h.Defect))
        {
            var hunts = defect.ToList();
            Figure(charts.DefectSpread(defect.Key, hunts, wallTime: false));
            Figure(charts.DefectSpread(defect.Key, hunts, wallTime: true));
        }
    }

    /// <summary>Searches derived from a campaign's planted streams: from each seed, the units until the first find.</summary>
    public static List<DefectBenchRecord> CampaignSearches(IEnumerable<Placed<IterationLine>> planted)
    {
        var searches = new List<DefectBenchRecord>();
        foreach (var stream in planted.Select(p => p.Record).Where(r => r.Defects.Length > 0)
            .GroupBy(r => (Defect: string.Join(",", r.Defects), r.Scenario, r.Engine, r.Strategy, r.Profile)))
        {
            var units = stream.OrderBy(r => r.Seed).ToList();
            for (var i = 0; i < units.Count; i++)
            {
                var first = units.FindIndex(i, r => r.Verdict != "ok");
                var until = first < 0 ? units.Count : first + 1;
                searches.Add(new DefectBenchRecord(stream.Key.Defect, stream.Key.Scenario, stream.Key.Engine, stream.Key.Strategy, units[i].Seed,
                    first >= 0, until - i, units.Skip(i).Take(until - i).Sum(r => r.WallSeconds)));
            }
        }

        return searches;
    }

    private void Throughput()
    {
        html.Append("<h2>Throughput</h2>\n");
        if (results.Iterations.Count == 0)
        {
            html.Append("<p class=\"note\">No iteration records.</p>\n");
            return;
        }

        var rows = results.Iterations.GroupBy(i => (i.Record.Scenario, i.Record.Engine))
            .OrderBy(g => g.Key.Scenario, StringComparer.Ordinal).ThenBy(g => g.Key.Engine, StringComparer.Ordinal)
            .Select(g => (g.Key.Scenario, g.Key.Engine, (long)g.Count(), g.Sum(i => i.Record.WallSeconds)))
            .ToList();
        html.Append("<p>Iterations per second of worker time: a scenario's iterations divided by the wall seconds its units took, whatever the number of workers.");
        if (results.Batches.Count > 0)
        {
            html.Append(" Campaign throughput per shard (units of its batches over their wall time): ")
                .Append(Encode(string.Join(", ", results.Batches.GroupBy(b => b.Record.Shard ?? "?").OrderBy(g => g.Key, StringComparer.Ordinal)
                    .Select(g => $"{g.Key}: {Rate(g.Sum(b => b.Record.Units), g.Sum(b => b.Record.WallSeconds))}/s"))))
                .Append('.');
        }

        html.Append("</p>\n");
        Figure(charts.Throughput(rows));
    }

    private void TimelinesAndRecovery()
    {
        html.Append("<h2>Timelines</h2>\n<p>One representative run per scenario, re-run here with the loop engine from its seed (the first unit that passed without a planted defect, else seed 1) ")
            .Append("with its event log kept: frames delivered and RPCs completed OK per virtual second, with the intervals during which faults held shaded.</p>\n");
        var scenarios = results.IterationsInUnitOrder.Select(i => i.Record.Scenario).Concat(results.DefectHunts.Select(h => h.Scenario)).Distinct(StringComparer.Ordinal).ToList();
        var samples = new List<(string Scenario, IReadOnlyList<double> Seconds)>();
        var table = new StringBuilder();
        foreach (var name in scenarios)
        {
            var scenario = ScenarioCatalog.Find(name);
            if (scenario is null)
            {
                html.Append("<p class=\"note\">").Append(Encode(name)).Append(": not a scenario of this build; no timeline.</p>\n");
                continue;
            }

            var (config, note) = Representative(scenario);
            progress($"timeline: {name} seed {config.Seed} ({RecoveryRuns} runs for recovery times)");
            var runs = Enumerable.Range(0, RecoveryRuns)
                .Select(k => RunTimeline.Of(Simulation.Run(scenario, config with { Seed = config.Seed + (ulong)k, KeepEventLog = true })))
                .ToList();
            var timeline = runs[0];
            var run = timeline.Run;
            var describe = $"{name}, seed {config.Seed}, strategy {config.Strategy}, faults {config.Profile?.Name ?? "the scenario's own"}{(config.Defects.Names.Count > 0 ? ", defects " + config.Defects : "")}: "
                + $"{run.Verdict}, {run.FaultsInjected} faults injected, {timeline.DeliveredPerSecond.Sum()} frames delivered over {timeline.End:F1} virtual s.";
            Figure(charts.Timeline(name, timeline, describe));
            html.Append("<p class=\"note\">").Append(Encode(note)).Append(" Replay: <code>").Append(Encode(run.ReplayCommand)).Append("</code></p>\n");
            if (timeline.Scripted.Count > 0)
            {
                html.Append("<p class=\"note\">Scripted by the scenario itself (dotted lines; traffic that drops to zero right after one is the script's doing, not a random fault): ")
                    .Append(Encode(string.Join("; ", timeline.Scripted.Select(e => $"{e.At.ToString("F1", CultureInfo.InvariantCulture)} s {e.Details}")))).Append(".</p>\n");
            }

            var recoveries = runs.SelectMany(r => r.Recoveries).ToList();
            var recovered = recoveries.Where(r => r.Seconds is not null).Select(r => r.Seconds!.Value).Order().ToList();
            samples.Add((name, recovered));
            table.Append("<tr><td>").Append(Encode(name)).Append("</td><td class=\"n\">").Append(runs.Count).Append(" (seeds ").Append(config.Seed).Append('–').Append(config.Seed + (ulong)runs.Count - 1)
                .Append(")</td><td class=\"n\">").Append(recoveries.Count).Append("</td><td class=\"n\">").Append(Number(FindingStats.Median(recovered), "F3"))
                .Append("</td><td class=\"n\">").Append(recovered.Count == 0 ? "-" : Number(recovered[(int)Math.Ceiling(0.9 * recovered.Count) - 1], "F3"))
                .Append("</td><td class=\"n\">").Append(recovered.Count == 0 ? "-" : Number(recovered[^1], "F3"))
                .Append("</td><td class=\"n\">").Append(recoveries.Count - recovered.Count).Append("</td></tr>\n");
        }

        html.Append("<h2>Recovery after faults heal</h2>\n<p><b>Recovery time</b> is the virtual time from a heal to the first successful application-level step of a process ")
            .Append("the healed fault touched: a gRPC call completed with status OK, on the client or the server side. A <b>heal</b> is the end of faults at one virtual instant: ")
            .Append("links healed (all links healed at that instant count as one heal), a killed process started again, a paused process resumed, or a clog's hold ending. ")
            .Append("The processes touched are those on the machines of the healed or clogged links, or the restarted or resumed process. ")
            .Append($"Samples come from the representative run of each scenario and the next {RecoveryRuns - 1} seeds; a heal with no such call before the run ends counts as not recovered.</p>\n");
        if (samples.Sum(s => s.Seconds.Count) == 0)
        {
            html.Append("<p class=\"note\">No heals in these runs (their fault profiles inject no faults that end).</p>\n");
        }
        else
        {
            Figure(charts.Recovery(samples.Where(s => s.Seconds.Count > 0).ToList()));
        }

        if (table.Length > 0)
        {
            html.Append("<table>\n<tr><th>scenario</th><th>runs</th><th>heals</th><th>median (virtual s)</th><th>p90 (virtual s)</th><th>max (virtual s)</th><th>not recovered</th></tr>\n")
                .Append(table).Append("</table>\n");
        }
    }

    // ---- helpers --------------------------------------------------------------------------------------

    /// <summary>The config of a scenario's representative run: the first unit that passed without a planted defect, else seed 1.</summary>
    private (RunConfig Config, string Note) Representative(Scenario scenario)
    {
        var units = results.IterationsInUnitOrder.Where(i => i.Record.Scenario == scenario.Name && i.Record.Verdict == "ok").Select(i => i.Record).ToList();
        var unit = units.FirstOrDefault(u => u.Defects.Length == 0);
        if (unit is null)
        {
            return (new RunConfig(scenario.Name, 1, "random", DefectSet.None), "No unit of this scenario passed without a planted defect in these results: seed 1 with the scenario's own faults.");
        }

        var notes = new List<string> { $"Unit {unit.Unit} ({unit.Engine}/{unit.Strategy}, seed {unit.Seed})." };
        var strategy = unit.Engine == "loop" && RunConfig.Strategies.Contains(unit.Strategy) ? unit.Strategy : "random";
        if (strategy != unit.Strategy)
        {
            notes.Add($"Its strategy {unit.Engine}/{unit.Strategy} is re-run with the loop engine's random strategy.");
        }

        FaultProfile? profile = null;
        if (unit.Profile is { } name)
        {
            profile = FaultProfile.Builtin.FirstOrDefault(p => p.Name == name);
            if (profile is null)
            {
                notes.Add($"Its fault profile '{name}' is not one of this build's; the scenario's own is used.");
            }
        }

        return (new RunConfig(scenario.Name, unit.Seed, strategy, DefectSet.None, profile), string.Join(" ", notes));
    }

    private string MissingShards(IReadOnlyList<string> shards)
    {
        var parsed = shards.Select(s => s.Split('/')).Where(p => p.Length == 2 && int.TryParse(p[0], out _) && int.TryParse(p[1], out _))
            .Select(p => (Index: int.Parse(p[0], CultureInfo.InvariantCulture), Count: int.Parse(p[1], CultureInfo.InvariantCulture))).ToList();
        var missing = parsed.Select(p => p.Count).Distinct()
            .SelectMany(n => Enumerable.Range(0, n).Where(i => !parsed.Contains((i, n))).Select(i => $"{i}/{n}")).ToList();
        return missing.Count == 0 ? "" : $" (missing: {string.Join(", ", missing)})";
    }

    private void Figure(Chart chart)
    {
        Charts.Add(chart);
        html.Append("<figure><img src=\"").Append(Encode(chart.File)).Append("\" alt=\"").Append(Encode(chart.Description)).Append("\">")
            .Append("<figcaption>").Append(Encode(chart.Description)).Append("</figcaption></figure>\n");
    }

    private void Row(string key, string value) =>
        html.Append("<tr><th>").Append(Encode(key)).Append("</th><td>").Append(Encode(value)).Append("</td></tr>\n");

    private static string Encode(string text) => WebUtility.HtmlEncode(text);

    private static string Seconds(double seconds) => seconds.ToString("F1", CultureInfo.InvariantCulture) + " s";

    private static string Rate(long units, double seconds) => seconds > 0 ? (units / seconds).ToString("F2", CultureInfo.InvariantCulture) : "-";

    private static string Number(double value, string format) => double.IsNaN(value) ? "-" : value.ToString(format, CultureInfo.InvariantCulture);
}
