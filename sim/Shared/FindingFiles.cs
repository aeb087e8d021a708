using Sim.Engine;
using Sim.Engine.Coyote;
using Sim.Scenarios;

namespace Sim.Cli;

/// <summary>
/// The replay artifacts of a finding, as `sim explore` and `sim fuzz` write them: the event log and the
/// bug report (<c>.bug.json</c>) for the loop engine; Coyote's reproducible <c>.trace</c>, its readable
/// trace, the event log and the bug report for the Coyote engine.
/// </summary>
/// <param name="Log">The event log of the failing run.</param>
/// <param name="Report">The bug report `sim replay` reads.</param>
/// <param name="Trace">Coyote's reproducible trace, if any.</param>
/// <param name="ReadableTrace">Coyote's readable trace, if any.</param>
internal sealed record FindingFiles(string? Log, string? Report, string? Trace = null, string? ReadableTrace = null)
{
    /// <summary>The file `sim replay` is given: Coyote's trace, else the bug report.</summary>
    public string? ReplayTarget => Trace ?? Report;

    /// <summary>The command that replays the finding, if there is a file to replay.</summary>
    public string? ReplayCommand => ReplayTarget is { } target ? $"dotnet run --project sim -- replay {target}" : null;

    /// <summary>Every file written.</summary>
    public IReadOnlyList<string> All => [.. new[] { Report, Trace, ReadableTrace, Log }.OfType<string>()];

    /// <summary>The stem of a finding's files: scenario, engine, strategy, seed and defects.</summary>
    public static string Stem(RunConfig config, string engine) =>
        $"{config.Scenario}-{engine}-{config.Strategy}-seed{config.Seed}{(config.Defects.Names.Count > 0 ? "-" + config.Defects : "")}";

    /// <summary>
    /// Runs the failing loop-engine configuration again with its event log kept, and writes the log and
    /// the bug report at <paramref name="stem"/> (a path without extension).
    /// </summary>
    public static FindingFiles WriteLoop(Scenario scenario, RunConfig bugConfig, string stem)
    {
        var full = Simulation.Run(scenario, bugConfig with { KeepEventLog = true });
        if (full.Violation is null)
        {
            throw new InvalidOperationException($"{scenario.Name} seed {bugConfig.Seed} failed once but not when run again with its event log kept: the run is not deterministic");
        }

        var files = new FindingFiles(stem + ".log", stem + ".bug.json");
        full.Log.WriteTo(files.Log!);
        new BugReport
        {
            Engine = "loop",
            Scenario = scenario.Name,
            Seed = bugConfig.Seed,
            Strategy = bugConfig.Strategy,
            PctDepth = bugConfig.PctDepth,
            Defects = [.. bugConfig.Defects.Names.Order(StringComparer.Ordinal)],
            Faults = bugConfig.Profile?.Name,
            Invariant = full.Violation.Invariant,
            Message = full.Violation.Message,
            Hash = full.Hash,
        }.Write(files.Report!);
        return files;
    }

    /// <summary>
    /// Writes what a failing Coyote exploration left: its event log, its reproducible and readable traces,
    /// and (when an invariant was violated) the bug report naming the trace, at <paramref name="stem"/>.
    /// </summary>
    public static FindingFiles WriteCoyote(Scenario scenario, RunConfig config, CoyoteOptions options, CoyoteOutcome outcome, string stem)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(stem))!);
        string? log = null, trace = null, readable = null, report = null;
        if (outcome.Log is { } events)
        {
            log = stem + ".log";
            events.WriteTo(log);
        }

        if (outcome.ReproducibleTrace is { } reproducible)
        {
            trace = stem + ".trace";
            File.WriteAllText(trace, reproducible);
        }

        if (outcome.ReadableTrace is { } text)
        {
            readable = stem + ".trace.txt";
            File.WriteAllText(readable, text);
        }

        if (outcome.Violation is { } found && trace is not null)
        {
            report = stem + ".bug.json";
            new BugReport
            {
                Engine = "coyote",
                Scenario = scenario.Name,
                Seed = config.Seed,
                Strategy = options.Strategy,
                StrategyBound = options.StrategyBound,
                Defects = [.. config.Defects.Names.Order(StringComparer.Ordinal)],
                Faults = config.Profile?.Name,
                EarlyFireOdds = options.EarlyFireOdds,
                MaxSteps = options.MaxSteps,
                Invariant = found.Invariant,
                Message = found.Message,
                Hash = outcome.Hash!,
                Trace = Path.GetFileName(trace),
            }.Write(report);
        }

        return new FindingFiles(log, report, trace, readable);
    }
}
