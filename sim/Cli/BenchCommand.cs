using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Sim.Bench;
using Sim.Shared;
using Sim.Stack.Defects;

namespace Sim.Cli;

/// <summary>`sim bench`: the engines' figures, or with --defects the bug-finding benchmark over the defect catalogue.</summary>
internal static class BenchCommand
{
    private static readonly JsonSerializerOptions Json = new() { PropertyNamingPolicy = JsonNamingPolicy.CamelCase };
    private static readonly string[] FigureSets = ["loop", "coyote", "fleet", "all", "campaign", "gateway", "psi", "scheduler"];

    public static Command Build(CliContext cli)
    {
        var json = CommonOptions.Json();
        var seeds = WholeNumbers.Option("--seeds", $"Starting seeds for the bug-finding figures (Coyote uses at most 5; default 10); with --defects, seeds per search (default {DefectBench.DefaultSeeds}).", 1, 10_000, 10);
        var engines = new Option<string>("--engine") { Description = $"Which figures: {string.Join(", ", FigureSets.Take(3))}, all (those three), campaign (sim fuzz throughput with 1 and 2 workers), or gateway (requests forwarded per wall second through one site gateway, loop engine vs the thread pool), or psi (ECDH-PSI items per wall second, loop engine vs no simulation, and raw BouncyCastle scalar multiplications per second), or scheduler (failover time over 200 seeds, median and p99, and jobs per virtual minute with and without faults). Not with --defects.", DefaultValueFactory = _ => "all" };
        var defects = new Option<string[]>("--defects")
        {
            Description = "Run the bug-finding benchmark: every defect of the catalogue (or the ones named) under each engine and strategy.",
            Arity = ArgumentArity.ZeroOrMore,
            AllowMultipleArgumentsPerToken = true,
        };
        var strategies = new Option<string?>("--strategies") { Description = "With --defects: the strategies to run, comma-separated, bare (both engines) or engine:strategy, e.g. loop:random,coyote:pct (default: every strategy of both engines)." };
        var skip = new Option<string?>("--skip") { Description = "With --defects: strategies to leave out, in the same form, e.g. coyote:ql." };
        var loopBudget = WholeNumbers.Option("--loop-budget", "With --defects: iterations (seeds) per loop-engine search.", 1, int.MaxValue, 200);
        var coyoteBudget = WholeNumbers.Option("--coyote-budget", "With --defects: iterations per Coyote search.", 1, int.MaxValue, 20);
        var outDir = new Option<string?>("--out") { Description = "With --defects: also write DIR/defects.jsonl (one line per search) for `sim report` (checked before the benchmark starts)." };
        var command = new Command("bench", Commands.Describe("Measure the engines: time compression, scheduling rate against the thread pool, Coyote's overhead per step, bug-finding speed, replay, memory; with --defects, the bug-finding benchmark over the defect catalogue."))
        {
            json, seeds, engines, defects, strategies, skip, loopBudget, coyoteBudget, outDir,
        };
        command.SetAction(parse =>
        {
            bool Given(Option option) => parse.GetResult(option) is { Implicit: false };
            if (parse.GetResult(defects) is null)
            {
                if (new Option[] { strategies, skip, loopBudget, coyoteBudget, outDir }.FirstOrDefault(Given) is { } lonely)
                {
                    throw new BadInputException($"{lonely.Name} belongs to the bug-finding benchmark: add --defects (e.g. sim bench --defects {lonely.Name} ...)");
                }

                return Figures(cli, parse.GetValue(engines)!, parse.GetValue(seeds), parse.GetValue(json));
            }

            if (Given(engines))
            {
                throw new BadInputException("--engine picks the engines' figures; with --defects, pick engines and strategies with --strategies");
            }

            var names = parse.GetValue(defects)!.SelectMany(d => d.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)).ToList();
            var chosen = names.Count == 0
                ? DefectCatalogue.All
                : [.. names.Select(n => DefectCatalogue.Find(n) ?? throw new BadInputException($"--defects: unknown defect '{n}' (known: {string.Join(", ", DefectCatalogue.All.Select(d => d.Name))})"))];
            var budgets = new Dictionary<string, int>(StringComparer.Ordinal) { ["loop"] = parse.GetValue(loopBudget), ["coyote"] = parse.GetValue(coyoteBudget) };
            var searches = DefectBench.Select(parse.GetValue(strategies), parse.GetValue(skip), budgets);
            if (searches.Count == 0)
            {
                throw new BadInputException("--strategies/--skip: no engine/strategy is left to run");
            }

            var dir = parse.GetValue(outDir);
            if (dir is not null)
            {
                OutputDirectory.Prepare(dir, "--out");
            }

            var request = new DefectBench.Request(chosen, searches, Given(seeds) ? parse.GetValue(seeds) : DefectBench.DefaultSeeds, dir, parse.GetValue(json));
            return DefectBench.Run(request, cli.Stdout, cli.Stderr);
        });
        return command;
    }

    private static int Figures(CliContext cli, string which, int seeds, bool asJson)
    {
        if (!FigureSets.Contains(which))
        {
            throw new BadInputException($"--engine: unknown figure set '{which}' (known: {string.Join(", ", FigureSets)})");
        }

        foreach (var figure in Benchmarks.Run(seeds, progress => cli.Stderr.WriteLine(progress), which))
        {
            cli.Stdout.WriteLine(asJson
                ? JsonSerializer.Serialize(new { figure = figure.Name, value = figure.Value, unit = figure.Unit }, Json)
                : $"{figure.Name,-40} {figure.Value.ToString("G6", CultureInfo.InvariantCulture),14} {figure.Unit}   {figure.Note}");
        }

        return ExitCodes.Ok;
    }
}
