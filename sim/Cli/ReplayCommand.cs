using System.CommandLine;
using System.Text.Json;
using Sim.Engine;
using Sim.Scenarios;
using Sim.Shared;
using Sim.Stack.Defects;
using Sim.Worlds;

namespace Sim.Cli;

/// <summary>
/// `sim replay`: replays a finding from its bug report (and, for Coyote, its trace). Reproduced: exit 1. Diverged (another
/// invariant or hash): exit 3. A report or trace that is corrupt, inconsistent or not each other's: exit 2.
/// </summary>
internal static class ReplayCommand
{
    private static readonly JsonSerializerOptions Json = new() { PropertyNamingPolicy = JsonNamingPolicy.CamelCase };

    public static Command Build(CliContext cli)
    {
        var file = new Argument<string>("file") { Description = "A .bug.json bug report, or a Coyote .trace written by `sim explore` or `sim fuzz` (its .bug.json beside it)." };
        var json = CommonOptions.Json();
        var command = new Command("replay", Commands.Describe("Replay a finding: the same invariant violation with the same event-log hash (exit 1), or 'diverged' (exit 3)."))
        {
            file, json,
        };
        command.SetAction(parse =>
        {
            var (report, reportPath, trace) = Load(parse.GetValue(file)!);
            var engine = Engines.Find(report.Engine) ?? throw new BadInputException($"{reportPath}: inconsistent bug report: field 'engine' names '{report.Engine}' (known: {string.Join(", ", Engines.Names)})");
            var (scenario, config) = Config(report, reportPath, engine);
            var settings = new EngineSettings(report.StrategyBound, report.EarlyFireOdds, report.MaxSteps);
            EngineOutcome outcome;
            try
            {
                outcome = engine.Replay(scenario, config, settings, trace?.Text);
            }
            catch (Exception e) when (e is not BadInputException && e is not OutOfMemoryException)
            {
                throw new BadInputException($"{trace?.Path ?? reportPath}: the {engine.Name} engine could not replay it: {e.Message}");
            }

            var violation = outcome.Violation;
            var reproduced = violation is not null && violation.Invariant == report.Invariant && outcome.Hash == report.Hash;
            var wall = outcome.LastWallTime;
            if (parse.GetValue(json))
            {
                cli.Stdout.WriteLine(JsonSerializer.Serialize(new
                {
                    verdict = reproduced ? "bug" : "diverged",
                    engine = report.Engine,
                    scenario = report.Scenario,
                    invariant = violation?.Invariant,
                    expectedInvariant = report.Invariant,
                    hash = outcome.Hash,
                    expectedHash = report.Hash,
                    wallMs = Math.Round(wall.TotalMilliseconds, 1),
                }, Json));
            }
            else
            {
                cli.Stdout.WriteLine(reproduced
                    ? $"reproduced: {violation!.Invariant} at virtual time {violation.Time.TotalSeconds:F6}s, step {violation.Step}, hash {outcome.Hash} ({wall.TotalMilliseconds:F0} ms)"
                    : $"diverged: expected {report.Invariant} with hash {report.Hash}, got {(violation is null ? "no violation" : violation.Invariant)} with hash {outcome.Hash ?? "(none)"}");
                if (violation is not null)
                {
                    cli.Stdout.WriteLine($"  {violation.Message}");
                }
            }

            return reproduced ? ExitCodes.Bug : ExitCodes.Diverged;
        });
        return command;
    }

    /// <summary>A trace file and its text.</summary>
    private sealed record TraceFile(string Path, string Text);

    /// <summary>The bug report named (or beside the trace named), checked, and the trace it names, checked against it.</summary>
    private static (BugReport Report, string ReportPath, TraceFile? Trace) Load(string path)
    {
        var fromTrace = path.EndsWith(".trace", StringComparison.Ordinal);
        var reportPath = fromTrace ? path[..^".trace".Length] + ".bug.json" : path;
        if (!File.Exists(path))
        {
            throw new BadInputException(Directory.Exists(path) ? $"{path}: a directory, not a .bug.json or .trace file" : $"{path}: no such file");
        }

        if (fromTrace && !File.Exists(reportPath))
        {
            throw new BadInputException($"{path}: its bug report {reportPath} is missing (it names the scenario, defects and options the trace was found with)");
        }

        var report = BugReport.Read(reportPath);
        report.CheckConsistent(reportPath);
        if (report.Trace is null)
        {
            return fromTrace
                ? throw new BadInputException($"{reportPath}: names no trace, so {path} is not its trace (replay the .bug.json itself)")
                : (report, reportPath, null);
        }

        // Named as the user named the report (relative stays relative), compared in full.
        var tracePath = Path.Combine(Path.GetDirectoryName(reportPath) ?? "", report.Trace);
        if (fromTrace && Path.GetFullPath(path) != Path.GetFullPath(tracePath))
        {
            throw new BadInputException($"{path} does not belong to {reportPath}: field 'trace' of the bug report names {report.Trace}");
        }

        if (!File.Exists(tracePath))
        {
            throw new BadInputException($"{tracePath}: no such file (named by {reportPath})");
        }

        var text = File.ReadAllText(tracePath);
        try
        {
            using var document = JsonDocument.Parse(text);
            TraceStamp.Check(document.RootElement, tracePath, report, reportPath);
        }
        catch (JsonException e)
        {
            throw new BadInputException($"{tracePath}: not a Coyote trace (corrupt or truncated JSON: {e.Message})");
        }

        return (report, reportPath, new TraceFile(tracePath, text));
    }

    /// <summary>The run the report describes; a field this build does not know makes the report inconsistent, not a flag error.</summary>
    private static (Scenario Scenario, RunConfig Config) Config(BugReport report, string path, IEngine engine)
    {
        string Inconsistent(string what) => $"{path}: inconsistent bug report: {what}";
        var scenario = ScenarioCatalog.Find(report.Scenario)!;
        if (!engine.Strategies.Contains(report.Strategy))
        {
            throw new BadInputException(Inconsistent($"field 'strategy' names '{report.Strategy}', not a strategy of the {engine.Name} engine (known: {string.Join(", ", engine.Strategies)})"));
        }

        if (report.Trace is null && !engine.SeedPerIteration)
        {
            throw new BadInputException(Inconsistent($"a {engine.Name} bug report must name its trace (field 'trace')"));
        }

        FaultProfile? profile = null;
        if (report.Faults is { } faults)
        {
            profile = FaultProfile.Builtin.FirstOrDefault(p => p.Name == faults)
                ?? throw new BadInputException(Inconsistent($"field 'faults' names '{faults}', not a fault profile of this build (known: {string.Join(", ", FaultProfile.Builtin.Select(p => p.Name))})"));
        }

        if (report.PctDepth < 1)
        {
            throw new BadInputException(Inconsistent($"field 'pctDepth' is {report.PctDepth}; it must be at least 1"));
        }

        return (scenario, new RunConfig(report.Scenario, report.Seed, report.Strategy, new DefectSet(report.Defects), profile, report.PctDepth, Buggify: report.Buggify));
    }
}
