using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Sim.Engine;
using Sim.Engine.Coyote;
using Sim.Scenarios;
using Sim.Stack.Defects;
using Sim.Worlds;
using Spectre.Console;

namespace Sim.Cli;

/// <summary>The verbs of the `sim` command.</summary>
internal static class Commands
{
    private static readonly JsonSerializerOptions Json = new() { PropertyNamingPolicy = JsonNamingPolicy.CamelCase };

    public static RootCommand Build(TextWriter stdout, TextWriter stderr)
    {
        var root = new RootCommand("Sim: a deterministic simulation and chaos testbed for federated-learning and privacy-computing control planes.");
        root.Subcommands.Add(ListCommand(stdout));
        root.Subcommands.Add(RunCommand(stdout));
        root.Subcommands.Add(ExploreCommand(stdout, stderr));
        root.Subcommands.Add(ReplayCommand(stdout));
        root.Subcommands.Add(BenchCommand(stdout, stderr));
        root.Subcommands.Add(Campaign.FuzzCommand.Build(stdout, stderr));
        root.Subcommands.Add(Campaign.FuzzCommand.Worker());
        root.Subcommands.Add(Report.ReportCommand.Build(stdout, stderr));
        return root;
    }

    // ---- shared options ------------------------------------------------------------------------------

    private static Argument<string> ScenarioArgument() => new("scenario") { Description = "The scenario to run (see 'sim list')." };

    private static Option<ulong> SeedOption(string description) => new("--seed") { Description = description, DefaultValueFactory = _ => 1 };

    private static Option<string[]> DefectOption() => new("--defect")
    {
        Description = "Plant a defect of the catalogue (repeatable, or comma-separated).",
        AllowMultipleArgumentsPerToken = false,
        DefaultValueFactory = _ => [],
    };

    private static Option<string> StrategyOption() => new("--strategy")
    {
        Description = "Scheduling strategy of the loop engine: random or pct.",
        DefaultValueFactory = _ => "random",
    };

    private static Option<int> DepthOption() => new("--pct-depth")
    {
        Description = "PCT's bug depth (priority change points + 1).",
        DefaultValueFactory = _ => 3,
    };

    private static Option<string?> FaultsOption() => new("--faults")
    {
        Description = "Replace the scenario's fault profile with a built-in one: " + string.Join(", ", FaultProfile.Builtin.Select(p => p.Name)) + ".",
    };

    private static Option<bool> JsonOption() => new("--json") { Description = "Machine-readable output: the last line is one JSON object." };

    private static Option<string> OutOption(string fallback) => new("--out")
    {
        Description = "Directory for event logs.",
        DefaultValueFactory = _ => fallback,
    };

    // ---- list ----------------------------------------------------------------------------------------

    private static Command ListCommand(TextWriter stdout)
    {
        var command = new Command("list", "List the scenarios, their defects and the fault profiles.");
        command.SetAction(_ =>
        {
            foreach (var scenario in ScenarioCatalog.All)
            {
                stdout.WriteLine($"{scenario.Name}: {scenario.Description}");
                foreach (var defect in scenario.Defects)
                {
                    stdout.WriteLine($"  defect {defect.Name}: {defect.Description}");
                }
            }

            stdout.WriteLine($"fault profiles: {string.Join(", ", FaultProfile.Builtin.Select(p => p.Name))}");
            stdout.WriteLine($"loop strategies: {string.Join(", ", RunConfig.Strategies)}");
            stdout.WriteLine($"coyote strategies: {string.Join(", ", CoyoteEngine.Strategies)}");
            return ExitCodes.Ok;
        });
        return command;
    }

    // ---- run -----------------------------------------------------------------------------------------

    private static Command RunCommand(TextWriter stdout)
    {
        var scenarioArg = ScenarioArgument();
        var seed = SeedOption("The run's seed.");
        var defect = DefectOption();
        var strategy = StrategyOption();
        var depth = DepthOption();
        var faults = FaultsOption();
        var json = JsonOption();
        var outDir = OutOption("runs");
        var check = new Option<bool>("--check-determinism") { Description = "Run twice and fail (exit 1) if the event-log hashes differ." };
        var command = new Command("run", "Run a scenario once; print the verdict, the event-log hash and where the log was written.")
        {
            scenarioArg, seed, defect, strategy, depth, faults, json, outDir, check,
        };
        command.SetAction(parse =>
        {
            var (scenario, config) = Resolve(parse.GetValue(scenarioArg)!, parse.GetValue(seed), parse.GetValue(defect)!, parse.GetValue(strategy)!, parse.GetValue(depth), parse.GetValue(faults));
            var result = Simulation.Run(scenario, config);
            var logPath = Path.Combine(parse.GetValue(outDir)!, $"{config.Scenario}-seed{config.Seed}{(config.Defects.Names.Count > 0 ? "-" + config.Defects : "")}.log");
            result.Log.WriteTo(logPath);
            string? secondHash = null;
            if (parse.GetValue(check))
            {
                secondHash = Simulation.Run(scenario, config with { KeepEventLog = false }).Hash;
            }

            var deterministic = secondHash is null || secondHash == result.Hash;
            if (!parse.GetValue(json))
            {
                stdout.WriteLine($"scenario {config.Scenario}  seed {config.Seed}  strategy {config.Strategy}  defects {config.Defects}");
                foreach (var line in result.Account)
                {
                    stdout.WriteLine(line);
                }

                stdout.WriteLine($"verdict: {result.Verdict.ToUpperInvariant()}");
                if (result.Violation is { } v)
                {
                    stdout.WriteLine($"invariant: {v.Invariant}");
                    stdout.WriteLine($"  {v.Message}");
                    stdout.WriteLine($"  at virtual time {v.Time.TotalSeconds:F6}s, step {v.Step}");
                }

                stdout.WriteLine($"hash: {result.Hash}");
                stdout.WriteLine($"event log: {logPath} ({result.Log.Count} events)");
                stdout.WriteLine($"steps {result.Steps}, virtual {result.VirtualTime.TotalSeconds:F1}s in {result.WallTime.TotalMilliseconds:F0} ms wall ({result.TimeCompression:F0}x), faults injected {result.FaultsInjected}");
                if (secondHash is not null)
                {
                    stdout.WriteLine(deterministic ? $"determinism: second run gave the same hash {secondHash}" : $"determinism: FAILED, second run gave hash {secondHash}");
                }

                if (result.IsBug)
                {
                    stdout.WriteLine($"replay: {result.ReplayCommand}");
                }
            }
            else
            {
                stdout.WriteLine(JsonSerializer.Serialize(new
                {
                    verdict = deterministic ? result.Verdict : "nondeterministic",
                    scenario = config.Scenario,
                    engine = "loop",
                    strategy = config.Strategy,
                    seed = config.Seed,
                    defects = config.Defects.Names.Order(StringComparer.Ordinal).ToArray(),
                    hash = result.Hash,
                    secondHash,
                    invariant = result.Violation?.Invariant,
                    message = result.Violation?.Message,
                    virtualTime = result.Violation?.Time.TotalSeconds ?? result.VirtualTime.TotalSeconds,
                    step = result.Violation?.Step ?? result.Steps,
                    eventLog = logPath,
                    replay = result.IsBug ? result.ReplayCommand : null,
                }, Json));
            }

            return !deterministic || result.IsBug ? ExitCodes.Bug : ExitCodes.Ok;
        });
        return command;
    }

    // ---- explore ------------------------------------------------------------------------------------

    private static Command ExploreCommand(TextWriter stdout, TextWriter stderr)
    {
        var scenarioArg = ScenarioArgument();
        var engine = new Option<string>("--engine") { Description = "The engine: coyote (systematic, Coyote's strategies) or loop (fast, seeded).", DefaultValueFactory = _ => "coyote" };
        var iterations = new Option<int>("--iterations") { Description = "Iteration budget (loop: seeds S, S+1, ...).", DefaultValueFactory = _ => 100 };
        var time = new Option<string?>("--time") { Description = "Wall-time budget instead of iterations, e.g. 60s or 5m (coyote)." };
        var seed = SeedOption("The first seed (loop) or Coyote's random seed.");
        var defect = DefectOption();
        var strategy = new Option<string?>("--strategy")
        {
            Description = $"loop: {string.Join(", ", RunConfig.Strategies)} (default random); coyote: {string.Join(", ", CoyoteEngine.Strategies)} (default random).",
        };
        var bound = new Option<uint?>("--strategy-bound") { Description = "The strategy's bound: probabilistic level, PCT priority changes, delay bound (coyote)." };
        var depth = DepthOption();
        var faults = FaultsOption();
        var json = JsonOption();
        var outDir = OutOption("runs");
        var command = new Command("explore", "Explore a scenario; stop at the first bug, write its trace, event log and bug report, and print the command that replays it.")
        {
            scenarioArg, engine, iterations, time, seed, defect, strategy, bound, depth, faults, json, outDir,
        };
        command.SetAction(parse =>
        {
            var engineName = parse.GetValue(engine)!;
            var count = parse.GetValue(iterations);
            if (count <= 0)
            {
                throw new BadInputException($"--iterations must be positive (got {count})");
            }

            var budget = parse.GetValue(time) is { } text ? ParseDuration(text, "--time") : (TimeSpan?)null;
            var strategyName = parse.GetValue(strategy) ?? "random";
            var asJson = parse.GetValue(json);
            var dir = parse.GetValue(outDir)!;
            switch (engineName)
            {
                case "loop":
                    {
                        var (scenario, config) = Resolve(parse.GetValue(scenarioArg)!, parse.GetValue(seed), parse.GetValue(defect)!, strategyName, parse.GetValue(depth), parse.GetValue(faults));
                        return ExploreLoop(stdout, scenario, config, count, budget, dir, asJson);
                    }

                case "coyote":
                    {
                        if (!CoyoteEngine.Strategies.Contains(strategyName))
                        {
                            throw new BadInputException($"--strategy: unknown Coyote strategy '{strategyName}' (known: {string.Join(", ", CoyoteEngine.Strategies)})");
                        }

                        var (scenario, config) = Resolve(parse.GetValue(scenarioArg)!, parse.GetValue(seed), parse.GetValue(defect)!, "random", parse.GetValue(depth), parse.GetValue(faults));
                        var options = new CoyoteOptions(strategyName, (uint)count, budget, parse.GetValue(bound));
                        return ExploreCoyote(stdout, scenario, config with { Strategy = strategyName }, options, dir, asJson);
                    }

                default:
                    throw new BadInputException($"--engine: unknown engine '{engineName}' (known: coyote, loop)");
            }
        });
        return command;
    }

    private static int ExploreLoop(TextWriter stdout, Scenario scenario, RunConfig baseConfig, int count, TimeSpan? budget, string dir, bool asJson)
    {
        var explorer = new Explorer(scenario, baseConfig);
        var outcome = !asJson && !Console.IsOutputRedirected && ReferenceEquals(stdout, Console.Out)
            ? AnsiConsole.Progress().Start(ctx =>
            {
                var task = ctx.AddTask($"exploring {scenario.Name} (loop, {baseConfig.Strategy})", maxValue: count);
                return explorer.Run(count, _ => task.Increment(1), budget);
            })
            : explorer.Run(count, _ => { }, budget);

        var files = outcome.Bug is { } bug ? FindingFiles.WriteLoop(scenario, bug.Config, Path.Combine(dir, FindingFiles.Stem(bug.Config, "loop"))) : null;
        var (logPath, reportPath, replay) = (files?.Log, files?.Report, files?.ReplayCommand);
        var violation = outcome.Bug?.Violation;
        if (!asJson)
        {
            stdout.WriteLine($"explored {outcome.Iterations} run(s) of {scenario.Name} with the loop engine ({baseConfig.Strategy}), seeds {baseConfig.Seed}..{baseConfig.Seed + (ulong)outcome.Iterations - 1}, defects {baseConfig.Defects}, in {outcome.WallTime.TotalSeconds:F1}s");
            if (outcome.Bug is { } found)
            {
                stdout.WriteLine($"BUG at iteration {outcome.Iterations} (seed {found.Config.Seed}): {violation!.Invariant}");
                stdout.WriteLine($"  {violation.Message}");
                stdout.WriteLine($"  at virtual time {violation.Time.TotalSeconds:F6}s, step {violation.Step}, hash {found.Hash}");
                stdout.WriteLine($"event log: {logPath}");
                stdout.WriteLine($"bug report: {reportPath}");
                stdout.WriteLine($"replay: {replay}");
                stdout.WriteLine($"   or: {found.ReplayCommand}");
            }
            else
            {
                stdout.WriteLine("no bug found");
            }
        }
        else
        {
            stdout.WriteLine(JsonSerializer.Serialize(new
            {
                verdict = violation is null ? "ok" : "bug",
                scenario = scenario.Name,
                engine = "loop",
                strategy = baseConfig.Strategy,
                seed = baseConfig.Seed,
                defects = baseConfig.Defects.Names.Order(StringComparer.Ordinal).ToArray(),
                iterations = outcome.Iterations,
                bugIteration = violation is null ? (int?)null : outcome.Iterations,
                bugSeed = outcome.Bug?.Config.Seed,
                invariant = violation?.Invariant,
                message = violation?.Message,
                hash = outcome.Bug?.Hash,
                eventLog = logPath,
                report = reportPath,
                replay,
                wallSeconds = Math.Round(outcome.WallTime.TotalSeconds, 3),
            }, Json));
        }

        return outcome.Bug is null ? ExitCodes.Ok : ExitCodes.Bug;
    }

    private static int ExploreCoyote(TextWriter stdout, Scenario scenario, RunConfig config, CoyoteOptions options, string dir, bool asJson)
    {
        CoyoteOutcome outcome;
        try
        {
            outcome = !asJson && !Console.IsOutputRedirected && ReferenceEquals(stdout, Console.Out)
                ? AnsiConsole.Status().Start($"exploring {scenario.Name} with Coyote ({options.Strategy}) ...", _ => CoyoteEngine.Explore(scenario, config, options))
                : CoyoteEngine.Explore(scenario, config, options);
        }
        catch (InvalidOperationException e) when (e.Message.Contains("not rewritten", StringComparison.Ordinal))
        {
            throw new BadInputException(e.Message);
        }

        var files = outcome.IsBug ? FindingFiles.WriteCoyote(scenario, config, options, outcome, Path.Combine(dir, FindingFiles.Stem(config, "coyote"))) : null;
        var (tracePath, readablePath, logPath, reportPath) = (files?.Trace, files?.ReadableTrace, files?.Log, files?.Report);
        var replay = tracePath is null ? null : $"dotnet run --project sim -- replay {tracePath}";
        var violation = outcome.Violation;
        if (!asJson)
        {
            stdout.WriteLine($"explored {outcome.Iterations} iteration(s) of {scenario.Name} with Coyote ({options.Strategy}{(options.StrategyBound is { } b ? $", bound {b}" : "")}), seed {config.Seed}, defects {config.Defects}, in {outcome.WallTime.TotalSeconds:F1}s");
            if (outcome.TestbedError is { } error)
            {
                stdout.WriteLine($"TESTBED DEFECT: {error}");
            }

            if (violation is not null)
            {
                stdout.WriteLine($"BUG at iteration {outcome.Iterations}: {violation.Invariant}");
                stdout.WriteLine($"  {violation.Message}");
                stdout.WriteLine($"  at virtual time {violation.Time.TotalSeconds:F6}s, step {violation.Step}, hash {outcome.Hash}");
                stdout.WriteLine($"trace: {tracePath}  (readable: {readablePath})");
                stdout.WriteLine($"event log: {logPath}");
                stdout.WriteLine($"replay: {replay}");
            }
            else if (outcome.TestbedError is null)
            {
                stdout.WriteLine("no bug found");
            }
        }
        else
        {
            stdout.WriteLine(JsonSerializer.Serialize(new
            {
                verdict = outcome.IsBug ? "bug" : "ok",
                scenario = scenario.Name,
                engine = "coyote",
                strategy = options.Strategy,
                seed = config.Seed,
                defects = config.Defects.Names.Order(StringComparer.Ordinal).ToArray(),
                iterations = outcome.Iterations,
                bugIteration = outcome.IsBug ? outcome.Iterations : (long?)null,
                invariant = violation?.Invariant ?? (outcome.TestbedError is null ? null : "testbed-defect"),
                message = violation?.Message ?? outcome.TestbedError,
                hash = outcome.IsBug ? outcome.Hash : null,
                trace = tracePath,
                eventLog = logPath,
                report = reportPath,
                replay,
                wallSeconds = Math.Round(outcome.WallTime.TotalSeconds, 3),
            }, Json));
        }

        return outcome.IsBug ? ExitCodes.Bug : ExitCodes.Ok;
    }

    // ---- replay -------------------------------------------------------------------------------------

    private static Command ReplayCommand(TextWriter stdout)
    {
        var file = new Argument<string>("file") { Description = "A Coyote .trace written by `sim explore` (its .bug.json beside it), or a .bug.json bug report." };
        var json = JsonOption();
        var command = new Command("replay", "Replay a finding: the same invariant violation with the same event-log hash, or 'diverged'.") { file, json };
        command.SetAction(parse =>
        {
            var path = parse.GetValue(file)!;
            var reportPath = path.EndsWith(".trace", StringComparison.Ordinal) ? path[..^".trace".Length] + ".bug.json" : path;
            if (!File.Exists(path))
            {
                throw new BadInputException($"{path}: no such file");
            }

            if (path != reportPath && !File.Exists(reportPath))
            {
                throw new BadInputException($"{path}: its bug report {reportPath} is missing (it names the scenario, defects and options the trace was found with)");
            }

            var report = BugReport.Read(reportPath);
            var scenario = ScenarioCatalog.Find(report.Scenario) ?? throw new BadInputException($"{reportPath}: unknown scenario '{report.Scenario}'");
            var (_, config) = Resolve(report.Scenario, report.Seed, report.Defects, report.Engine == "loop" ? report.Strategy : "random", report.PctDepth, report.Faults);
            Violation? violation;
            string hash;
            TimeSpan wall;
            switch (report.Engine)
            {
                case "loop":
                    var result = Simulation.Run(scenario, config);
                    (violation, hash, wall) = (result.Violation, result.Hash, result.WallTime);
                    break;
                case "coyote":
                    var tracePath = Path.Combine(Path.GetDirectoryName(Path.GetFullPath(reportPath))!, report.Trace ?? throw new BadInputException($"{reportPath}: a coyote bug report must name its trace"));
                    if (!File.Exists(tracePath))
                    {
                        throw new BadInputException($"{tracePath}: no such file (named by {reportPath})");
                    }

                    var trace = File.ReadAllText(tracePath);
                    try
                    {
                        using var _ = JsonDocument.Parse(trace);
                    }
                    catch (JsonException e)
                    {
                        throw new BadInputException($"{tracePath}: not a Coyote trace (corrupt or truncated JSON: {e.Message})");
                    }

                    CoyoteOutcome outcome;
                    try
                    {
                        outcome = CoyoteEngine.Replay(scenario, config with { Strategy = report.Strategy }, new CoyoteOptions(report.Strategy, 1, null, report.StrategyBound, report.EarlyFireOdds, report.MaxSteps), trace);
                    }
                    catch (Exception e) when (e is not BadInputException && e is not OutOfMemoryException)
                    {
                        throw new BadInputException($"{tracePath}: Coyote could not replay it: {e.Message}");
                    }

                    (violation, hash, wall) = (outcome.Violation, outcome.Hash ?? "", outcome.LastIterationWallTime);
                    break;
                default:
                    throw new BadInputException($"{reportPath}: unknown engine '{report.Engine}'");
            }

            var reproduced = violation is not null && violation.Invariant == report.Invariant && hash == report.Hash;
            if (!parse.GetValue(json))
            {
                stdout.WriteLine(reproduced
                    ? $"reproduced: {violation!.Invariant} at virtual time {violation.Time.TotalSeconds:F6}s, step {violation.Step}, hash {hash} ({wall.TotalMilliseconds:F0} ms)"
                    : $"diverged: expected {report.Invariant} with hash {report.Hash}, got {(violation is null ? "no violation" : violation.Invariant)} with hash {hash}");
                if (violation is not null)
                {
                    stdout.WriteLine($"  {violation.Message}");
                }
            }
            else
            {
                stdout.WriteLine(JsonSerializer.Serialize(new
                {
                    verdict = reproduced ? "bug" : "diverged",
                    engine = report.Engine,
                    scenario = report.Scenario,
                    invariant = violation?.Invariant,
                    expectedInvariant = report.Invariant,
                    hash,
                    expectedHash = report.Hash,
                    wallMs = Math.Round(wall.TotalMilliseconds, 1),
                }, Json));
            }

            return ExitCodes.Bug;
        });
        return command;
    }

    /// <summary>Parses 90s, 5m, 1h, 250ms or a plain number of seconds.</summary>
    internal static TimeSpan ParseDuration(string text, string option)
    {
        var units = new (string Suffix, double Seconds)[] { ("ms", 0.001), ("s", 1), ("m", 60), ("h", 3600) };
        foreach (var (suffix, seconds) in units)
        {
            if (text.EndsWith(suffix, StringComparison.Ordinal) && double.TryParse(text[..^suffix.Length], NumberStyles.Float, CultureInfo.InvariantCulture, out var n) && n > 0
                && !(suffix == "s" && text.EndsWith("ms", StringComparison.Ordinal)))
            {
                return TimeSpan.FromSeconds(n * seconds);
            }
        }

        if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var plain) && plain > 0)
        {
            return TimeSpan.FromSeconds(plain);
        }

        throw new BadInputException($"{option}: '{text}' is not a duration (examples: 90s, 5m, 1h)");
    }

    // ---- bench ---------------------------------------------------------------------------------------

    private static Command BenchCommand(TextWriter stdout, TextWriter stderr)
    {
        var json = JsonOption();
        var seeds = new Option<int>("--seeds") { Description = "Starting seeds for the bug-finding figures (Coyote uses at most 5); with --defects, seeds per search (default 3).", DefaultValueFactory = _ => 10 };
        var engines = new Option<string>("--engine") { Description = "Which figures: loop, coyote, fleet, all (those three), or campaign (sim fuzz throughput with 1 and 2 workers).", DefaultValueFactory = _ => "all" };
        var defects = new Bench.DefectBench();
        var command = new Command("bench", "Measure the engines: time compression, scheduling rate against the thread pool, Coyote's overhead per step, bug-finding speed, replay, memory; with --defects, the bug-finding benchmark over the defect catalogue.")
        {
            json, seeds, engines,
        };
        foreach (var option in defects.Options)
        {
            command.Options.Add(option);
        }

        command.SetAction(parse =>
        {
            var count = parse.GetValue(seeds);
            if (count <= 0)
            {
                throw new BadInputException($"--seeds must be positive (got {count})");
            }

            if (defects.Requested(parse))
            {
                return defects.Run(parse, parse.GetResult(seeds) is { Implicit: false } ? count : null, parse.GetValue(json), stdout, stderr);
            }

            var which = parse.GetValue(engines)!;
            if (which is not ("loop" or "coyote" or "fleet" or "all" or "campaign"))
            {
                throw new BadInputException($"--engine: unknown figure set '{which}' (known: loop, coyote, fleet, all, campaign)");
            }

            foreach (var figure in Bench.Benchmarks.Run(count, progress => stderr.WriteLine(progress), which))
            {
                stdout.WriteLine(parse.GetValue(json)
                    ? JsonSerializer.Serialize(new { figure = figure.Name, value = figure.Value, unit = figure.Unit }, Json)
                    : $"{figure.Name,-40} {figure.Value.ToString("G6", CultureInfo.InvariantCulture),14} {figure.Unit}   {figure.Note}");
            }

            return ExitCodes.Ok;
        });
        return command;
    }

    // ---- input validation ----------------------------------------------------------------------------

    private static (Scenario Scenario, RunConfig Config) Resolve(string scenarioName, ulong seed, string[] defects, string strategy, int depth, string? faults)
    {
        var scenario = ScenarioCatalog.Find(scenarioName)
            ?? throw new BadInputException($"unknown scenario '{scenarioName}' (known: {string.Join(", ", ScenarioCatalog.All.Select(s => s.Name))})");
        var names = defects.SelectMany(d => d.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)).ToList();
        foreach (var name in names)
        {
            var defect = DefectCatalogue.Find(name)
                ?? throw new BadInputException($"--defect: unknown defect '{name}' (known: {string.Join(", ", DefectCatalogue.All.Select(d => d.Name))})");
            if (ScenarioCatalog.WhyNotPlantable(defect.Name, scenario) is { } why)
            {
                throw new BadInputException($"--defect: {why}");
            }
        }

        if (!RunConfig.Strategies.Contains(strategy))
        {
            throw new BadInputException($"--strategy: unknown strategy '{strategy}' (known: {string.Join(", ", RunConfig.Strategies)})");
        }

        if (depth < 1)
        {
            throw new BadInputException($"--pct-depth must be at least 1 (got {depth})");
        }

        FaultProfile? profile = null;
        if (faults is not null)
        {
            profile = FaultProfile.Builtin.FirstOrDefault(p => p.Name == faults)
                ?? throw new BadInputException($"--faults: unknown fault profile '{faults}' (known: {string.Join(", ", FaultProfile.Builtin.Select(p => p.Name))})");
        }

        return (scenario, new RunConfig(scenario.Name, seed, strategy, new DefectSet(names), profile, depth));
    }
}
