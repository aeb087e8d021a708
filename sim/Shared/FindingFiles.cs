using Sim.Engine;
using Sim.Scenarios;

namespace Sim.Shared;

/// <summary>
/// The replay artifacts of a finding, as `sim explore` and `sim fuzz` write them, whatever the engine: the event log,
/// the bug report (<c>.bug.json</c>) and, from Coyote, its reproducible <c>.trace</c> (stamped, see
/// <see cref="TraceStamp"/>) and readable trace.
/// </summary>
/// <param name="Log">The event log of the failing run.</param>
/// <param name="Report">The bug report `sim replay` reads.</param>
/// <param name="Trace">The engine's reproducible trace, if any.</param>
/// <param name="ReadableTrace">Its readable trace, if any.</param>
public sealed record FindingFiles(string? Log, string? Report, string? Trace = null, string? ReadableTrace = null)
{
    /// <summary>The file `sim replay` is given: the trace, else the bug report.</summary>
    public string? ReplayTarget => Report is null ? null : Trace ?? Report;

    /// <summary>The command that replays the finding, if there is a file to replay.</summary>
    public string? ReplayCommand => ReplayTarget is { } target ? $"dotnet run --project sim -- replay {target}" : null;

    /// <summary>Every file written.</summary>
    public IReadOnlyList<string> All => [.. new[] { Report, Trace, ReadableTrace, Log }.OfType<string>()];

    /// <summary>The stem of a finding's files: scenario, engine, strategy, seed and defects.</summary>
    public static string Stem(RunConfig config, string engine) =>
        $"{config.Scenario}-{engine}-{config.Strategy}-seed{config.Seed}{(config.Defects.Names.Count > 0 ? "-" + config.Defects : "")}";

    /// <summary>
    /// Writes what a failing run left at <paramref name="stem"/> (a path without extension). When the run kept no
    /// event log, the finding is replayed with its log kept, and must fail again the same way (else the run is not
    /// deterministic, which is a testbed defect).
    /// </summary>
    public static FindingFiles Write(IEngine engine, Scenario scenario, EngineOutcome outcome, EngineSettings settings, string stem)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(stem))!);
        var full = outcome;
        if (!outcome.HasLogLines && outcome.Violation is not null)
        {
            full = engine.Replay(scenario, outcome.Config with { KeepEventLog = true }, settings, outcome.Trace);
            if (full.Invariant != outcome.Invariant || full.Hash != outcome.Hash)
            {
                throw new InvalidOperationException(
                    $"{scenario.Name} seed {outcome.Config.Seed} ({engine.Name}) failed {outcome.Invariant} with hash {outcome.Hash}, but {full.Invariant ?? "passed"} with hash {full.Hash} when run again with its event log kept: the run is not deterministic");
            }
        }

        string? log = null, trace = null, readable = null, report = null;
        if (full.HasLogLines)
        {
            log = stem + ".log";
            full.Log!.WriteTo(log);
        }

        var bug = full.Violation is { } found
            ? new BugReport
            {
                Engine = engine.Name,
                Scenario = scenario.Name,
                Seed = outcome.Config.Seed,
                Strategy = outcome.Config.Strategy,
                StrategyBound = settings.StrategyBound,
                PctDepth = outcome.Config.PctDepth,
                Defects = [.. outcome.Config.Defects.Names.Order(StringComparer.Ordinal)],
                Faults = outcome.Config.Profile?.Name,
                Buggify = outcome.Config.Buggify,
                EarlyFireOdds = settings.EarlyFireOdds,
                MaxSteps = settings.MaxSteps,
                Invariant = found.Invariant,
                Message = found.Message,
                Hash = full.Hash!,
            }
            : null;
        if (outcome.Trace is { } reproducible)
        {
            trace = stem + ".trace";
            bug = bug is null ? null : bug with { Trace = Path.GetFileName(trace) };
            File.WriteAllText(trace, bug is null ? reproducible : TraceStamp.Add(reproducible, bug));
        }

        if (outcome.ReadableTrace is { } text)
        {
            readable = stem + ".trace.txt";
            File.WriteAllText(readable, text);
        }

        if (bug is not null)
        {
            report = stem + ".bug.json";
            bug.Write(report);
        }

        return new FindingFiles(log, report, trace, readable);
    }
}
