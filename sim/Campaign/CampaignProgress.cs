using System.Diagnostics;
using Spectre.Console;

namespace Sim.Campaign;

/// <summary>
/// Progress of a running campaign: a Spectre.Console progress bar on a terminal (units, findings, rate,
/// time left), else a plain status line on stderr every few seconds, for CI logs.
/// </summary>
public sealed class CampaignProgress(TextWriter stdout, TextWriter stderr, long? total, TimeSpan? budget)
{
    private static readonly TimeSpan PlainEvery = TimeSpan.FromSeconds(10);
    private readonly bool interactive = Interactive(stdout);
    private long lastPlain = Stopwatch.GetTimestamp();

    /// <summary>True when <paramref name="stdout"/> is the terminal (not redirected, not a test's writer).</summary>
    public static bool Interactive(TextWriter stdout) => !Console.IsOutputRedirected && ReferenceEquals(stdout, Console.Out);

    /// <summary>Runs <paramref name="loop"/>, which reports its status as it goes.</summary>
    public void Run(Action<Action<CampaignStatus>> loop)
    {
        if (!interactive)
        {
            loop(status =>
            {
                if (Stopwatch.GetElapsedTime(lastPlain) >= PlainEvery)
                {
                    lastPlain = Stopwatch.GetTimestamp();
                    stderr.WriteLine($"fuzz: {Describe(status)}");
                }
            });
            return;
        }

        AnsiConsole.Progress()
            .AutoClear(false)
            .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn(), new PercentageColumn(), new SpinnerColumn())
            .Start(context =>
            {
                var max = total is { } t ? Math.Max(1, t) : budget?.TotalSeconds ?? 1;
                var task = context.AddTask("starting workers", maxValue: max);
                loop(status =>
                {
                    task.Description = Markup.Escape(Describe(status));
                    task.Value = total is not null ? status.Done : Math.Min(max, status.Elapsed.TotalSeconds);
                });
                task.Value = max;
            });
    }

    /// <summary>Prints a line above the progress bar (or on stdout).</summary>
    public void Say(string line)
    {
        if (interactive)
        {
            // Spectre wraps a Text to the terminal's width itself, so the live progress bar below it stays in place.
            AnsiConsole.Write(new Text(line + "\n"));
        }
        else
        {
            stdout.WriteLine(line);
        }
    }

    private string Describe(CampaignStatus status)
    {
        // The sooner of the budget's end and the units' end at the current rate.
        TimeSpan? byBudget = budget is { } b ? b - status.Elapsed : null;
        TimeSpan? byUnits = total is { } t && status.Rate > 0 ? TimeSpan.FromSeconds((t - status.Done) / status.Rate) : null;
        var left = byBudget is { } x && byUnits is { } y ? (x < y ? x : y) : byBudget ?? byUnits;
        var units = total is { } all ? $"{status.Done}/{all}" : $"{status.Done}";
        var remaining = left is { } l ? $", {Format(l < TimeSpan.Zero ? TimeSpan.Zero : l)} left" : "";
        return $"{units} units, {status.Findings} finding(s), {status.Rate:F1} units/s{remaining}, {status.Workers} worker(s)";
    }

    private static string Format(TimeSpan span) => span.TotalHours >= 1 ? $"{(int)span.TotalHours}h{span.Minutes:D2}m" : $"{span.Minutes}m{span.Seconds:D2}s";
}
