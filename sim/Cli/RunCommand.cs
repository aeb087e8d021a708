using System.CommandLine;
using System.Text.Json;
using Sim.Engine;
using Sim.Shared;

namespace Sim.Cli;

/// <summary>`sim run`: one loop-engine run, with what happened to each process, its verdict and its event-log hash.</summary>
internal static class RunCommand
{
    private static readonly JsonSerializerOptions Json = new() { PropertyNamingPolicy = JsonNamingPolicy.CamelCase };

    public static Command Build(CliContext cli)
    {
        var scenarioArg = CommonOptions.Scenario();
        var seed = CommonOptions.Seed("The run's seed.");
        var defect = CommonOptions.Defect();
        var strategy = new Option<string>("--strategy") { Description = $"Scheduling strategy of the loop engine: {string.Join(", ", RunConfig.Strategies)}.", DefaultValueFactory = _ => "random" };
        var depth = CommonOptions.PctDepth();
        var faults = CommonOptions.Faults();
        var buggify = CommonOptions.Buggify();
        var json = CommonOptions.Json();
        var outDir = CommonOptions.Out("runs", "Directory for the event log (checked before the run starts).");
        var check = new Option<bool>("--check-determinism") { Description = "Run twice and fail (exit 1) if the event-log hashes differ." };
        var command = new Command("run", Commands.Describe("Run a scenario once with the loop engine; print the verdict, the event-log hash and where the log was written."))
        {
            scenarioArg, seed, defect, strategy, depth, faults, buggify, json, outDir, check,
        };
        command.SetAction(parse =>
        {
            var (scenario, config) = RunInputs.Resolve(parse.GetValue(scenarioArg)!, parse.GetValue(seed), parse.GetValue(defect)!, LoopEngine.Instance, parse.GetValue(strategy)!, parse.GetValue(depth), parse.GetValue(faults), CommonOptions.BuggifyOn(parse.GetValue(buggify)!));
            var dir = parse.GetValue(outDir)!;
            OutputDirectory.Prepare(dir, "--out");
            var result = Simulation.Run(scenario, config);
            var logPath = Path.Combine(dir, $"{config.Scenario}-seed{config.Seed}{(config.Defects.Names.Count > 0 ? "-" + config.Defects : "")}.log");
            result.Log.WriteTo(logPath);
            var secondHash = parse.GetValue(check) ? Simulation.Run(scenario, config with { KeepEventLog = false }).Hash : null;
            var deterministic = secondHash is null || secondHash == result.Hash;
            if (parse.GetValue(json))
            {
                cli.Stdout.WriteLine(JsonSerializer.Serialize(new
                {
                    verdict = deterministic ? result.Verdict : "nondeterministic",
                    scenario = config.Scenario,
                    engine = "loop",
                    strategy = config.Strategy,
                    seed = config.Seed,
                    defects = config.Defects.Names.Order(StringComparer.Ordinal).ToArray(),
                    buggify = config.Buggify,
                    faults = result.Faults?.Describe(),
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
            else
            {
                Print(cli.Stdout, result, logPath, secondHash);
            }

            return !deterministic || result.IsBug ? ExitCodes.Bug : ExitCodes.Ok;
        });
        return command;
    }

    private static void Print(TextWriter stdout, RunResult result, string logPath, string? secondHash)
    {
        var config = result.Config;
        stdout.WriteLine($"scenario {config.Scenario}  seed {config.Seed}  strategy {config.Strategy}  defects {config.Defects}  buggify {(config.Buggify ? "on" : "off")}");
        foreach (var line in result.Faults?.DescribeLines() ?? [])
        {
            stdout.WriteLine(line);
        }

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
            stdout.WriteLine(secondHash == result.Hash ? $"determinism: second run gave the same hash {secondHash}" : $"determinism: FAILED, second run gave hash {secondHash}");
        }

        if (result.IsBug)
        {
            stdout.WriteLine($"replay: {result.ReplayCommand}");
        }
    }
}
