using System.CommandLine;
using System.Text.Json;
using Sim.Engine;
using Sim.Scenarios;
using Sim.Shared;
using Spectre.Console;

namespace Sim.Cli;

/// <summary>`sim explore`: explores a scenario with an engine until the first bug, writes its files and prints the command that replays it.</summary>
internal static class ExploreCommand
{
    private const int DefaultIterations = 100;
    private static readonly JsonSerializerOptions Json = new() { PropertyNamingPolicy = JsonNamingPolicy.CamelCase };

    public static Command Build(CliContext cli)
    {
        var scenarioArg = CommonOptions.Scenario();
        var engine = new Option<string>("--engine") { Description = $"The engine: {string.Join(", ", Engines.Names)} (coyote: systematic, Coyote's strategies; loop: fast, seeded).", DefaultValueFactory = _ => "coyote" };
        var iterations = WholeNumbers.Optional("--iterations", $"Iteration budget (default {DefaultIterations}; loop: seeds S, S+1, ...). Not with --time.", 1, int.MaxValue);
        var time = new Option<string?>("--time") { Description = "A wall-time budget instead of iterations, e.g. 60s or 5m." };
        var seed = CommonOptions.Seed("The first seed (loop) or Coyote's random seed.");
        var defect = CommonOptions.Defect();
        var strategy = new Option<string?>("--strategy")
        {
            Description = string.Join("; ", Engines.All.Select(e => $"{e.Name}: {string.Join(", ", e.Strategies)} (default {e.Strategies[0]})")) + ".",
        };
        var bound = WholeNumbers.Optional("--strategy-bound", "The strategy's bound: probabilistic level, PCT priority changes, delay bound (coyote only).", 0u, uint.MaxValue);
        var depth = CommonOptions.PctDepth();
        var faults = CommonOptions.Faults();
        var buggify = CommonOptions.Buggify();
        var json = CommonOptions.Json();
        var outDir = CommonOptions.Out("runs", "Directory for a finding's trace, event log and bug report (checked before the exploration starts).");
        var command = new Command("explore", Commands.Describe("Explore a scenario; stop at the first bug, write its trace, event log and bug report, and print the command that replays it."))
        {
            scenarioArg, engine, iterations, time, seed, defect, strategy, bound, depth, faults, buggify, json, outDir,
        };
        command.SetAction(parse =>
        {
            var chosen = RunInputs.Engine(parse.GetValue(engine)!);
            var count = parse.GetValue(iterations);
            var budget = parse.GetValue(time) is { } text ? Durations.Parse(text, "--time") : (TimeSpan?)null;
            if (count is not null && budget is not null)
            {
                throw new BadInputException("--iterations and --time: give one budget, not both");
            }

            var strategyBound = parse.GetValue(bound);
            if (strategyBound is not null && !chosen.HasStrategyBound)
            {
                throw new BadInputException($"--strategy-bound: the {chosen.Name} engine's strategies take no bound (it is Coyote's; the loop engine's pct has --pct-depth)");
            }

            if (parse.GetResult(depth) is { Implicit: false } && chosen is not LoopEngine)
            {
                throw new BadInputException($"--pct-depth is the loop engine's; the {chosen.Name} engine's pct takes --strategy-bound");
            }

            var (scenario, config) = RunInputs.Resolve(parse.GetValue(scenarioArg)!, parse.GetValue(seed), parse.GetValue(defect)!, chosen, parse.GetValue(strategy) ?? chosen.Strategies[0], parse.GetValue(depth), parse.GetValue(faults), CommonOptions.BuggifyOn(parse.GetValue(buggify)!));
            var dir = parse.GetValue(outDir)!;
            OutputDirectory.Prepare(dir, "--out");
            var request = new Request(chosen, scenario, config, new EngineSettings(strategyBound), new ExploreBudget(count ?? DefaultIterations, budget));
            return Explore(cli, request, dir, parse.GetValue(json));
        });
        return command;
    }

    /// <summary>What to explore.</summary>
    private sealed record Request(IEngine Engine, Scenario Scenario, RunConfig Config, EngineSettings Settings, ExploreBudget Budget);

    private static int Explore(CliContext cli, Request request, string dir, bool asJson)
    {
        var (engine, scenario, config, settings, budget) = request;
        EngineOutcome outcome;
        try
        {
            outcome = !asJson && !Console.IsOutputRedirected && ReferenceEquals(cli.Stdout, Console.Out)
                ? AnsiConsole.Progress().Start(ctx =>
                {
                    var task = ctx.AddTask($"exploring {scenario.Name} ({engine.Name}, {config.Strategy})", maxValue: budget.Time is null ? budget.Iterations : 1);
                    return engine.Explore(scenario, config, settings, budget, done => task.Value = budget.Time is null ? done : 0);
                })
                : engine.Explore(scenario, config, settings, budget);
        }
        catch (InvalidOperationException e) when (e.Message.Contains("not rewritten", StringComparison.Ordinal))
        {
            throw new BadInputException(e.Message);
        }

        var files = outcome.IsBug ? FindingFiles.Write(engine, scenario, outcome, settings, Path.Combine(dir, FindingFiles.Stem(outcome.Config, engine.Name))) : null;
        var rerun = outcome.Violation is not null && (engine.SeedPerIteration || outcome.Iterations == 1) ? RerunCommand.For(engine, outcome.Config, settings.StrategyBound) : null;
        if (asJson)
        {
            cli.Stdout.WriteLine(JsonSerializer.Serialize(new
            {
                verdict = outcome.Verdict,
                scenario = scenario.Name,
                engine = engine.Name,
                strategy = config.Strategy,
                seed = config.Seed,
                defects = config.Defects.Names.Order(StringComparer.Ordinal).ToArray(),
                iterations = outcome.Iterations,
                bugIteration = outcome.IsBug ? outcome.Iterations : (long?)null,
                bugSeed = outcome.IsBug && engine.SeedPerIteration ? outcome.Config.Seed : (ulong?)null,
                invariant = outcome.Invariant,
                message = outcome.Message,
                hash = outcome.IsBug ? outcome.Hash : null,
                trace = files?.Trace,
                eventLog = files?.Log,
                report = files?.Report,
                replay = files?.ReplayCommand,
                rerun,
                wallSeconds = Math.Round(outcome.WallTime.TotalSeconds, 3),
            }, Json));
        }
        else
        {
            Print(cli.Stdout, request, outcome, files, rerun);
        }

        return outcome.IsBug ? ExitCodes.Bug : ExitCodes.Ok;
    }

    private static void Print(TextWriter stdout, Request request, EngineOutcome outcome, FindingFiles? files, string? rerun)
    {
        var (engine, scenario, config, settings, _) = request;
        var seeds = engine.SeedPerIteration ? $"seeds {config.Seed}..{config.Seed + (ulong)Math.Max(0, outcome.Iterations - 1)}" : $"seed {config.Seed}";
        var bound = settings.StrategyBound is { } b ? $", bound {b}" : "";
        stdout.WriteLine($"explored {outcome.Iterations} iteration(s) of {scenario.Name} with the {engine.Name} engine ({config.Strategy}{bound}), {seeds}, defects {config.Defects}, in {outcome.WallTime.TotalSeconds:F1}s");
        if (outcome.TestbedError is { } error)
        {
            stdout.WriteLine($"TESTBED DEFECT: {error}");
        }

        if (outcome.Violation is { } violation)
        {
            stdout.WriteLine($"BUG at iteration {outcome.Iterations}{(engine.SeedPerIteration ? $" (seed {outcome.Config.Seed})" : "")}: {violation.Invariant}");
            stdout.WriteLine($"  {violation.Message}");
            stdout.WriteLine($"  at virtual time {violation.Time.TotalSeconds:F6}s, step {violation.Step}, hash {outcome.Hash}");
        }
        else if (outcome.TestbedError is null)
        {
            stdout.WriteLine("no bug found");
        }

        if (files?.Trace is { } trace)
        {
            stdout.WriteLine($"trace: {trace}{(files.ReadableTrace is { } readable ? $"  (readable: {readable})" : "")}");
        }

        if (files?.Log is { } log)
        {
            stdout.WriteLine($"event log: {log}");
        }

        if (files?.Report is { } report)
        {
            stdout.WriteLine($"bug report: {report}");
        }

        if (files?.ReplayCommand is { } replay)
        {
            stdout.WriteLine($"replay: {replay}");
        }

        if (rerun is not null)
        {
            stdout.WriteLine($"   or: {rerun}");
        }
    }
}
