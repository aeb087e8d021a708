using ScottPlot;
using Sim.Bench;

namespace Sim.Report;

/// <summary>A chart written to disk: its file (relative to the report's directory), title and a sentence for its alt text.</summary>
public sealed record Chart(string File, string Title, string Description);

/// <summary>The report's ScottPlot charts. Each has a title, axis labels with units and a legend, and is saved as a PNG.</summary>
public sealed class Charts(string outDirectory)
{
    public const string ImageFolder = "img";
    private const int Width = 900;
    private const int Height = 450;

    private static readonly Color Loop = Color.FromHex("#1f77b4");
    private static readonly Color Coyote = Color.FromHex("#ff7f0e");
    private static readonly IPalette Palette = new ScottPlot.Palettes.Category10();

    private static readonly (string Kind, string Counted, Color Color)[] FaultColors =
    [
        (RunTimeline.Partition, "link cuts", Color.FromHex("#d62728").WithAlpha(0.18)),
        (RunTimeline.ProcessDown, "kills", Color.FromHex("#7f7f7f").WithAlpha(0.30)),
        (RunTimeline.Paused, "pauses", Color.FromHex("#9467bd").WithAlpha(0.25)),
        (RunTimeline.Clog, "clogs", Color.FromHex("#bcbd22").WithAlpha(0.30)),
    ];

    /// <summary>
    /// Cumulative distinct (scenario, invariant) findings against iterations, one line per engine and strategy: the
    /// unexpected findings over the units without planted defects, or the planted defects' findings over the planted
    /// units (drawn apart, so planted findings never look like bugs). Null when there is no such finding: the page says so in words.
    /// </summary>
    public Chart? FindingsOverIterations(CampaignResults results, bool planted)
    {
        var kind = planted ? "findings from planted defects" : "unexpected findings";
        var findingUnits = results.Findings.Where(f => f.Record.Planted == planted).ToLookup(f => (f.ConfigHash, f.Record.Unit, f.Record.Seed));
        if (findingUnits.Count == 0)
        {
            return null;
        }

        var title = $"Distinct {kind} against iterations";
        var plot = NewPlot(title, $"iterations of the engine/strategy ({(planted ? "units with a defect planted" : "units without planted defects")})", "distinct (scenario, invariant)");
        var series = results.IterationsInUnitOrder.Where(i => i.Record.Planted == planted).GroupBy(i => $"{i.Record.Engine}/{i.Record.Strategy}").OrderBy(g => g.Key, StringComparer.Ordinal).ToList();
        var top = 1.0;
        for (var s = 0; s < series.Count; s++)
        {
            var seen = new HashSet<(string, string)>();
            var xs = new List<double> { 0 };
            var ys = new List<double> { 0 };
            var n = 0;
            foreach (var iteration in series[s])
            {
                n++;
                foreach (var finding in findingUnits[(iteration.ConfigHash, iteration.Record.Unit, iteration.Record.Seed)])
                {
                    if (seen.Add((finding.Record.Scenario, finding.Record.Invariant)))
                    {
                        // A step: flat until this iteration, then up.
                        xs.Add(n);
                        ys.Add(seen.Count - 1);
                        xs.Add(n);
                        ys.Add(seen.Count);
                    }
                }
            }

            xs.Add(n);
            ys.Add(seen.Count);
            top = Math.Max(top, seen.Count);
            var line = plot.Add.ScatterLine(xs.ToArray(), ys.ToArray(), planted ? Palette.GetColor(s) : Color.FromHex("#b00000").WithAlpha(1 - (0.15 * (s % 4))));
            line.LineWidth = 2;
            line.LegendText = $"{series[s].Key} ({n} iterations, {seen.Count} distinct)";
        }

        plot.Axes.SetLimitsY(-0.05, top + 0.5);
        plot.Axes.Left.TickGenerator = new ScottPlot.TickGenerators.NumericFixedInterval(Math.Max(1, Math.Ceiling(top / 10)));
        plot.ShowLegend(Edge.Right);
        return Save(plot, planted ? "findings-planted.png" : "findings-unexpected.png", title,
            $"Cumulative count of distinct {kind} (scenario, invariant) after each iteration, for {series.Count} engine/strategy series.", Width + 250, Height);
    }

    /// <summary>Iterations (or wall seconds) each search needed to find one defect, per engine and strategy: box over seeds, dots per seed.</summary>
    public Chart DefectSpread(string defect, IReadOnlyList<DefectBenchRecord> hunts, bool wallTime)
    {
        var what = wallTime ? "Time" : "Iterations";
        var title = $"{what} to find {defect} (spread over seeds)";
        var plot = NewPlot(title, "engine/strategy", wallTime ? "wall time to find (s, log scale)" : "iterations to find (runs)");

        // Wall times span milliseconds (loop) to seconds (coyote): they are drawn on a log scale.
        double Scale(double value) => wallTime ? Math.Log10(Math.Max(value, 1e-4)) : value;
        var groups = hunts.GroupBy(h => (h.Engine, h.Strategy)).OrderBy(g => g.Key.Engine == "loop" ? 0 : 1).ThenBy(g => g.Key.Strategy, StringComparer.Ordinal).ToList();
        var labels = new List<string>();
        var top = 0.0;
        for (var i = 0; i < groups.Count; i++)
        {
            var color = groups[i].Key.Engine == "loop" ? Loop : Coyote;
            var found = groups[i].Where(h => h.Found).Select(h => wallTime ? h.WallSeconds : h.Iterations).Order().ToList();
            labels.Add($"{groups[i].Key.Engine}\n{groups[i].Key.Strategy}\n{found.Count}/{groups[i].Count()} found");
            if (found.Count == 0)
            {
                continue;
            }

            top = Math.Max(top, found[^1]);
            var box = plot.Add.Box(new Box
            {
                Position = i,
                BoxMin = Scale(Quantile(found, 0.25)),
                BoxMax = Scale(Quantile(found, 0.75)),
                BoxMiddle = Scale(Quantile(found, 0.5)),
                WhiskerMin = Scale(found[0]),
                WhiskerMax = Scale(found[^1]),
                Width = 0.5,
            });
            box.FillColor = color.WithAlpha(0.35);
            box.LineColor = color;
            var dots = plot.Add.ScatterPoints(found.Select((_, k) => i + ((k - ((found.Count - 1) / 2.0)) * 0.06)).ToArray(), found.Select(Scale).ToArray(), color);
            dots.MarkerSize = 6;
        }

        plot.Axes.Bottom.SetTicks([.. Enumerable.Range(0, groups.Count).Select(i => (double)i)], [.. labels]);
        plot.Axes.Bottom.MinimumSize = 70;
        if (wallTime)
        {
            var low = Math.Floor(Scale(hunts.Where(h => h.Found).Select(h => h.WallSeconds).DefaultIfEmpty(0.01).Min()));
            var high = Math.Ceiling(Scale(Math.Max(top, 0.01)) + 0.3);
            plot.Axes.SetLimits(-0.6, groups.Count - 0.4, low, high);
            plot.Axes.Left.TickGenerator = new ScottPlot.TickGenerators.NumericAutomatic
            {
                IntegerTicksOnly = true,
                MinorTickGenerator = new ScottPlot.TickGenerators.LogMinorTickGenerator(),
                LabelFormatter = y => Math.Pow(10, y).ToString("G3", System.Globalization.CultureInfo.InvariantCulture),
            };
        }
        else
        {
            plot.Axes.SetLimits(-0.6, groups.Count - 0.4, 0, top <= 0 ? 1 : top * 1.25);
            if (top <= 12)
            {
                plot.Axes.Left.TickGenerator = new ScottPlot.TickGenerators.NumericFixedInterval(1);
            }
        }

        EngineLegend(plot, groups.Select(g => g.Key.Engine), " (box: quartiles, whiskers: min-max, dots: seeds)");
        plot.ShowLegend(Alignment.UpperLeft);
        var file = $"defect-{Slug(defect)}-{(wallTime ? "time" : "iterations")}.png";
        return Save(plot, file, title,
            $"{what} each starting seed needed to find the planted defect {defect}, per engine and strategy; seeds that did not find it within the budget are left out and counted under each label.", 1000, Height + 50);
    }

    /// <summary>Iterations per second of worker time, per scenario and engine.</summary>
    public Chart Throughput(IReadOnlyList<(string Scenario, string Engine, long Iterations, double WallSeconds)> rows)
    {
        var plot = NewPlot("Iterations per second per scenario", "scenario and engine", "iterations per second of worker time (1/s)");
        var bars = rows.Select((r, i) =>
        {
            var rate = r.WallSeconds > 0 ? r.Iterations / r.WallSeconds : 0;
            var color = r.Engine == "loop" ? Loop : Coyote;
            return new Bar { Position = i, Value = rate, FillColor = color, Label = rate.ToString(rate >= 10 ? "F0" : "F2", System.Globalization.CultureInfo.InvariantCulture) };
        }).ToArray();
        var barPlot = plot.Add.Bars(bars);
        barPlot.ValueLabelStyle.FontSize = 13;
        plot.Axes.Bottom.SetTicks([.. rows.Select((_, i) => (double)i)], [.. rows.Select(r => $"{r.Scenario}\n{r.Engine} ({r.Iterations})")]);
        plot.Axes.Bottom.MinimumSize = 50;
        plot.Axes.Margins(bottom: 0, top: 0.15);
        EngineLegend(plot, rows.Select(r => r.Engine), "");
        plot.ShowLegend(Alignment.UpperRight);
        return Save(plot, "throughput.png", "Iterations per second per scenario",
            "Iterations per second of worker time (iterations divided by the sum of their wall seconds) for each scenario and engine; the number of iterations is in brackets.", Width, Height + 30);
    }

    /// <summary>One run over virtual time: frames delivered and successful RPCs per second, fault intervals shaded.</summary>
    public Chart Timeline(string scenario, RunTimeline timeline, string describe)
    {
        var title = $"Timeline of {scenario} (seed {timeline.Run.Config.Seed})";
        var plot = NewPlot(title, "virtual time (s)", "per virtual second (1/s)");
        var top = Math.Max(1, timeline.DeliveredPerSecond.DefaultIfEmpty(0).Max());
        foreach (var (kind, counted, color) in FaultColors)
        {
            var intervals = timeline.Merged(kind);
            foreach (var (start, end) in intervals)
            {
                var span = plot.Add.HorizontalSpan(start, Math.Max(end, start + 0.05), color);
                span.LineWidth = 0;
            }

            if (intervals.Count > 0)
            {
                plot.Legend.ManualItems.Add(new LegendItem { LabelText = $"{kind} ({timeline.Faults.Count(f => f.Kind == kind)} {counted})", FillColor = color });
            }
        }

        var xs = Enumerable.Range(0, timeline.DeliveredPerSecond.Length).Select(i => i + 0.5).ToArray();
        var frames = plot.Add.ScatterLine(xs, timeline.DeliveredPerSecond.Select(v => (double)v).ToArray(), Loop);
        frames.LineWidth = 2;
        frames.LegendText = "frames delivered";
        var rpcs = plot.Add.ScatterLine(xs, timeline.RpcsPerSecond.Select(v => (double)v).ToArray(), Color.FromHex("#2ca02c"));
        rpcs.LineWidth = 2;
        rpcs.LegendText = "RPCs completed OK";
        // Site gateways: the requests each party sent per second, and the route-table reloads as ticks on the axis.
        var palette = new ScottPlot.Palettes.Category10();
        var party = 0;
        foreach (var (source, counts) in timeline.RequestsByParty)
        {
            var line = plot.Add.ScatterLine(xs, counts.Select(v => (double)v).ToArray(), palette.GetColor(3 + party++));
            line.LineWidth = 1.5f;
            line.LegendText = $"requests from party {source}";
        }

        var reloadColor = Color.FromHex("#17becf");
        foreach (var (at, _, _) in timeline.Reloads)
        {
            var mark = plot.Add.VerticalLine(at, 1f, reloadColor.WithAlpha(0.6), LinePattern.DenselyDashed);
            mark.LegendText = "";
        }

        if (timeline.Reloads.Count > 0)
        {
            plot.Legend.ManualItems.Add(new LegendItem { LabelText = $"route-table reloads ({timeline.Reloads.Count})", LineColor = reloadColor, LineWidth = 1f, LinePattern = LinePattern.DenselyDashed });
        }

        // Replicated schedulers: every new leader term, as a tick labelled with its epoch and holder.
        var leaderColor = Color.FromHex("#9467bd");
        foreach (var (at, holder, epoch) in timeline.LeaderChanges)
        {
            var mark = plot.Add.VerticalLine(at, 1.5f, leaderColor.WithAlpha(0.8), LinePattern.Dotted);
            mark.LegendText = "";
            mark.Text = $"epoch {epoch}: {holder}";
        }

        if (timeline.LeaderChanges.Count > 0)
        {
            plot.Legend.ManualItems.Add(new LegendItem { LabelText = $"leader changes ({timeline.LeaderChanges.Count})", LineColor = leaderColor, LineWidth = 1.5f, LinePattern = LinePattern.Dotted });
        }

        if (timeline.QuietAt is { } quiet)
        {
            var line = plot.Add.VerticalLine(quiet, 1.5f, Colors.Black, LinePattern.Dashed);
            line.LegendText = "faults stop, all healed";
        }

        // The scenario's own script (a scheduler killed on purpose, a certificate rotated): a drop to zero traffic
        // right after one of these lines is the script's doing, not a fault injected at random.
        var scriptColor = Color.FromHex("#8c564b");
        foreach (var (at, _, _) in timeline.Scripted)
        {
            var mark = plot.Add.VerticalLine(at, 1.5f, scriptColor, LinePattern.Dotted);
            mark.LegendText = "";
        }

        if (timeline.Scripted.Count > 0)
        {
            plot.Legend.ManualItems.Add(new LegendItem { LabelText = $"scripted by the scenario ({timeline.Scripted.Count})", LineColor = scriptColor, LineWidth = 1.5f, LinePattern = LinePattern.Dotted });
        }

        plot.Axes.SetLimits(0, Math.Max(1, timeline.End), 0, top * 1.15);

        // Outside the data area: a legend inside would cover the curves.
        plot.ShowLegend(Edge.Right);
        return Save(plot, $"timeline-{Slug(scenario)}.png", title, describe, 1300, Height);
    }

    /// <summary>The distribution of recovery times after heals, stacked by scenario.</summary>
    public Chart Recovery(IReadOnlyList<(string Scenario, IReadOnlyList<double> Seconds)> samples)
    {
        var plot = NewPlot("Recovery time after faults heal", "recovery time (virtual s)", "heals (count)");
        var all = samples.SelectMany(s => s.Seconds).ToList();
        var max = all.Count == 0 ? 1 : all.Max();
        const int bins = 24;
        var width = max <= 0 ? 0.05 : max / bins * 1.0001;
        var stacked = new double[bins];
        for (var s = 0; s < samples.Count; s++)
        {
            var counts = new double[bins];
            foreach (var value in samples[s].Seconds)
            {
                counts[Math.Min(bins - 1, (int)(value / width))]++;
            }

            var color = Palette.GetColor(s);
            var bars = Enumerable.Range(0, bins).Where(b => counts[b] > 0).Select(b => new Bar
            {
                Position = (b + 0.5) * width,
                ValueBase = stacked[b],
                Value = stacked[b] + counts[b],
                Size = width * 0.95,
                FillColor = color,
            }).ToArray();
            plot.Add.Bars(bars);
            for (var b = 0; b < bins; b++)
            {
                stacked[b] += counts[b];
            }

            plot.Legend.ManualItems.Add(new LegendItem { LabelText = $"{samples[s].Scenario} ({samples[s].Seconds.Count} heals)", FillColor = color });
        }

        plot.Axes.Margins(bottom: 0, top: 0.1);
        plot.Axes.SetLimitsX(0, width * bins);
        plot.ShowLegend(Alignment.UpperRight);
        return Save(plot, "recovery.png", "Recovery time after faults heal",
            $"Histogram of {all.Count} recovery times (virtual seconds from a heal to the next successful RPC of a process the fault touched), stacked by scenario.");
    }

    /// <summary>One legend entry per engine present: loop blue, coyote orange.</summary>
    private static void EngineLegend(Plot plot, IEnumerable<string> engines, string suffix)
    {
        var present = engines.ToHashSet(StringComparer.Ordinal);
        foreach (var (engine, color) in new[] { ("loop", Loop), ("coyote", Coyote) })
        {
            if (present.Contains(engine))
            {
                plot.Legend.ManualItems.Add(new LegendItem { LabelText = $"{engine} engine{suffix}", FillColor = color.WithAlpha(0.6), LineColor = color });
                suffix = "";
            }
        }
    }

    private static Plot NewPlot(string title, string x, string y)
    {
        var plot = new Plot();
        plot.Title(title);
        plot.XLabel(x);
        plot.YLabel(y);
        return plot;
    }

    private Chart Save(Plot plot, string file, string title, string description, int width = Width, int height = Height)
    {
        var relative = $"{ImageFolder}/{file}";
        plot.SavePng(Path.Combine(outDirectory, ImageFolder, file), width, height);
        plot.Dispose();
        return new Chart(relative, title, description);
    }

    /// <summary>A name safe in a file name: lower-case letters, digits and dashes.</summary>
    public static string Slug(string name) =>
        new([.. name.ToLowerInvariant().Select(c => char.IsAsciiLetterOrDigit(c) ? c : '-')]);

    private static double Quantile(IReadOnlyList<double> sorted, double q)
    {
        var position = (sorted.Count - 1) * q;
        var low = (int)Math.Floor(position);
        var high = (int)Math.Ceiling(position);
        return sorted[low] + ((sorted[high] - sorted[low]) * (position - low));
    }
}
