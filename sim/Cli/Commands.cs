using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Sim.Engine;
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
        root.Subcommands.Add(BenchCommand(stdout, stderr));
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
            stdout.WriteLine($"strategies: {string.Join(", ", RunConfig.Strategies)}");
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

    // ---- explore -------------------------------------------------------------------------------------

    private static Command ExploreCommand(TextWriter stdout, TextWriter stderr)
    {
        var scenarioArg = ScenarioArgument();
        var engine = new Option<string>("--engine") { Description = "The engine: loop.", DefaultValueFactory = _ => "loop" };
        var iterations = new Option<int>("--iterations") { Description = "How many runs (seeds S, S+1, ...).", DefaultValueFactory = _ => 100 };
        var seed = SeedOption("The first seed.");
        var defect = DefectOption();
        var strategy = StrategyOption();
        var depth = DepthOption();
        var faults = FaultsOption();
        var json = JsonOption();
        var outDir = OutOption("runs");
        var command = new Command("explore", "Run many seeds; stop at the first bug and print the command that replays it.")
        {
            scenarioArg, engine, iterations, seed, defect, strategy, depth, faults, json, outDir,
        };
        command.SetAction(parse =>
        {
            if (parse.GetValue(engine) is not "loop")
            {
                throw new BadInputException($"--engine: unknown engine '{parse.GetValue(engine)}' (known: loop)");
            }

            var count = parse.GetValue(iterations);
            if (count <= 0)
            {
                throw new BadInputException($"--iterations must be positive (got {count})");
            }

            var (scenario, baseConfig) = Resolve(parse.GetValue(scenarioArg)!, parse.GetValue(seed), parse.GetValue(defect)!, parse.GetValue(strategy)!, parse.GetValue(depth), parse.GetValue(faults));
            var asJson = parse.GetValue(json);
            var explorer = new Explorer(scenario, baseConfig);
            var outcome = !asJson && !Console.IsOutputRedirected && ReferenceEquals(stdout, Console.Out)
                ? AnsiConsole.Progress().Start(ctx =>
                {
                    var task = ctx.AddTask($"exploring {scenario.Name}", maxValue: count);
                    return explorer.Run(count, _ => task.Increment(1));
                })
                : explorer.Run(count, _ => { });

            string? logPath = null;
            if (outcome.Bug is { } bug)
            {
                var full = Simulation.Run(scenario, bug.Config);
                logPath = Path.Combine(parse.GetValue(outDir)!, $"{bug.Config.Scenario}-seed{bug.Config.Seed}{(bug.Config.Defects.Names.Count > 0 ? "-" + bug.Config.Defects : "")}.log");
                full.Log.WriteTo(logPath);
            }

            if (!asJson)
            {
                stdout.WriteLine($"explored {outcome.Iterations} run(s) of {scenario.Name} with the loop engine ({baseConfig.Strategy}), seeds {baseConfig.Seed}..{baseConfig.Seed + (ulong)outcome.Iterations - 1}, defects {baseConfig.Defects}, in {outcome.WallTime.TotalSeconds:F1}s");
                if (outcome.Bug is { } bug2)
                {
                    stdout.WriteLine($"BUG at iteration {outcome.Iterations} (seed {bug2.Config.Seed}): {bug2.Violation!.Invariant}");
                    stdout.WriteLine($"  {bug2.Violation.Message}");
                    stdout.WriteLine($"  at virtual time {bug2.Violation.Time.TotalSeconds:F6}s, step {bug2.Violation.Step}, hash {bug2.Hash}");
                    stdout.WriteLine($"event log: {logPath}");
                    stdout.WriteLine($"replay: {bug2.ReplayCommand}");
                }
                else
                {
                    stdout.WriteLine("no bug found");
                }
            }
            else
            {
                var bug3 = outcome.Bug;
                stdout.WriteLine(JsonSerializer.Serialize(new
                {
                    verdict = bug3 is null ? "ok" : "bug",
                    scenario = scenario.Name,
                    engine = "loop",
                    strategy = baseConfig.Strategy,
                    seed = baseConfig.Seed,
                    defects = baseConfig.Defects.Names.Order(StringComparer.Ordinal).ToArray(),
                    iterations = outcome.Iterations,
                    bugIteration = bug3 is null ? (int?)null : outcome.Iterations,
                    bugSeed = bug3?.Config.Seed,
                    invariant = bug3?.Violation?.Invariant,
                    message = bug3?.Violation?.Message,
                    hash = bug3?.Hash,
                    eventLog = logPath,
                    replay = bug3?.ReplayCommand,
                    wallSeconds = Math.Round(outcome.WallTime.TotalSeconds, 3),
                }, Json));
            }

            return outcome.Bug is null ? ExitCodes.Ok : ExitCodes.Bug;
        });
        return command;
    }

    // ---- bench ---------------------------------------------------------------------------------------

    private static Command BenchCommand(TextWriter stdout, TextWriter stderr)
    {
        var json = JsonOption();
        var seeds = new Option<int>("--seeds") { Description = "Starting seeds for the bug-finding figure.", DefaultValueFactory = _ => 10 };
        var command = new Command("bench", "Measure the engine: time compression, scheduling rate against the thread pool, bug-finding speed, memory.")
        {
            json, seeds,
        };
        command.SetAction(parse =>
        {
            var count = parse.GetValue(seeds);
            if (count <= 0)
            {
                throw new BadInputException($"--seeds must be positive (got {count})");
            }

            foreach (var figure in Bench.Benchmarks.Run(count, progress => stderr.WriteLine(progress)))
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
            if (defect.Scenario != scenario.Name)
            {
                throw new BadInputException($"--defect: '{name}' belongs to scenario '{defect.Scenario}', not '{scenario.Name}'");
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
