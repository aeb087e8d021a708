using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Sim.Cli;
using Sim.Engine;
using Sim.Engine.Coyote;
using Sim.Scenarios;
using Sim.Stack.Defects;

namespace Sim.Bench;

/// <summary>
/// The bug-finding benchmark, `sim bench --defects`: every defect of the catalogue, planted in its scenario, searched
/// for by each engine and strategy from k starting seeds within an iteration budget. Prints the table (defect ×
/// engine/strategy → found/total, median iterations, median wall time) and, with --out DIR, writes one
/// <c>defect-bench</c> line per search to DIR/defects.jsonl for `sim report`.
/// </summary>
public sealed class DefectBench
{
    public const string FileName = "defects.jsonl";
    public const int DefaultSeeds = 3;

    private static readonly JsonSerializerOptions Json = new() { PropertyNamingPolicy = JsonNamingPolicy.CamelCase };

    /// <summary>One engine/strategy pair and the iteration budget of each of its searches.</summary>
    public sealed record Search(string Engine, string Strategy, int Budget);

    public Option<string[]> Defects { get; } = new("--defects")
    {
        Description = "Run the bug-finding benchmark: every defect of the catalogue (or the ones named) under each engine and strategy.",
        Arity = ArgumentArity.ZeroOrMore,
        AllowMultipleArgumentsPerToken = true,
    };

    public Option<string?> Strategies { get; } = new("--strategies")
    {
        Description = "With --defects: the strategies to run, comma-separated, bare (both engines) or engine:strategy, e.g. loop:random,coyote:pct (default: every strategy of both engines).",
    };

    public Option<string?> Skip { get; } = new("--skip")
    {
        Description = "With --defects: strategies to leave out, in the same form, e.g. coyote:ql.",
    };

    public Option<int> LoopBudget { get; } = new("--loop-budget") { Description = "With --defects: iterations (seeds) per loop-engine search.", DefaultValueFactory = _ => 200 };

    public Option<int> CoyoteBudget { get; } = new("--coyote-budget") { Description = "With --defects: iterations per Coyote search.", DefaultValueFactory = _ => 20 };

    public Option<string?> Out { get; } = new("--out") { Description = "With --defects: also write DIR/defects.jsonl (one line per search) for `sim report`." };

    public IEnumerable<Option> Options => [Defects, Strategies, Skip, LoopBudget, CoyoteBudget, Out];

    /// <summary>Whether the command line asked for the defect benchmark.</summary>
    public bool Requested(ParseResult parse) => parse.GetResult(Defects) is not null;

    /// <summary>Runs the benchmark the command line asked for; <paramref name="seeds"/> is null when --seeds was not given.</summary>
    public int Run(ParseResult parse, int? seeds, bool asJson, TextWriter stdout, TextWriter stderr)
    {
        var k = seeds ?? DefaultSeeds;
        var names = parse.GetValue(Defects)!.SelectMany(d => d.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)).ToList();
        var defects = names.Count == 0
            ? DefectCatalogue.All
            : [.. names.Select(n => DefectCatalogue.Find(n) ?? throw new BadInputException($"--defects: unknown defect '{n}' (known: {string.Join(", ", DefectCatalogue.All.Select(d => d.Name))})"))];
        var loopBudget = Positive(parse.GetValue(LoopBudget), "--loop-budget");
        var coyoteBudget = Positive(parse.GetValue(CoyoteBudget), "--coyote-budget");
        var searches = Select(parse.GetValue(Strategies), parse.GetValue(Skip), loopBudget, coyoteBudget);
        if (searches.Count == 0)
        {
            throw new BadInputException("--strategies/--skip: no engine/strategy is left to run");
        }

        StreamWriter? file = null;
        if (parse.GetValue(Out) is { } dir)
        {
            Directory.CreateDirectory(dir);
            file = new StreamWriter(Path.Combine(dir, FileName), append: false);
        }

        using (file)
        {
            var started = Stopwatch.GetTimestamp();
            var rows = new List<(Defect Defect, Search Search, List<DefectHunt> Hunts)>();
            foreach (var defect in defects)
            {
                foreach (var search in searches)
                {
                    stderr.WriteLine($"defects: {defect.Name} ({ScenarioCatalog.HomeOf(defect.Name)?.Name}) with {search.Engine}/{search.Strategy}, {k} seed(s), budget {search.Budget}");
                    var hunts = new List<DefectHunt>();
                    for (var i = 0; i < k; i++)
                    {
                        var hunt = Hunt(defect, search, (ulong)(1 + (i * 1000)));
                        if (hunt.TestbedError is { } error)
                        {
                            stderr.WriteLine($"defects: TESTBED DEFECT with {search.Engine}/{search.Strategy} seed {hunt.Seed}: {error}");
                        }

                        hunts.Add(hunt);
                        file?.WriteLine(JsonSerializer.Serialize(
                            new Report.DefectBenchRecord(hunt.Defect, hunt.Scenario, hunt.Engine, hunt.Strategy, hunt.Seed, hunt.Found, hunt.Iterations, Math.Round(hunt.Wall.TotalSeconds, 4)), Json));
                        file?.Flush();
                    }

                    rows.Add((defect, search, hunts));
                }
            }

            Print(rows, asJson, stdout);
            var wall = Stopwatch.GetElapsedTime(started);
            if (!asJson)
            {
                stdout.WriteLine($"{rows.Sum(r => r.Hunts.Count)} searches in {wall.TotalSeconds:F1} s wall{(file is null ? "" : $"; wrote {Path.Combine(parse.GetValue(Out)!, FileName)}")}");
            }
        }

        return ExitCodes.Ok;
    }

    /// <summary>The engine/strategy pairs to run: every strategy of both engines, or those named, less those skipped.</summary>
    public static IReadOnlyList<Search> Select(string? include, string? skip, int loopBudget, int coyoteBudget)
    {
        var all = RunConfig.Strategies.Select(s => new Search("loop", s, loopBudget))
            .Concat(CoyoteEngine.Strategies.Select(s => new Search("coyote", s, coyoteBudget)))
            .ToList();
        var chosen = include is null ? all : Matching(all, include, "--strategies");
        if (skip is not null)
        {
            var skipped = Matching(all, skip, "--skip");
            chosen = [.. chosen.Where(s => !skipped.Contains(s))];
        }

        return chosen;
    }

    private static List<Search> Matching(List<Search> all, string list, string option)
    {
        var result = new List<Search>();
        foreach (var word in list.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var parts = word.Split(':', 2);
            var (engine, strategy) = parts.Length == 2 ? (parts[0], parts[1]) : (null, parts[0]);
            if (engine is not (null or "loop" or "coyote"))
            {
                throw new BadInputException($"{option}: unknown engine '{engine}' in '{word}' (known: loop, coyote)");
            }

            var matches = all.Where(s => (engine is null || s.Engine == engine) && s.Strategy == strategy).ToList();
            if (matches.Count == 0)
            {
                throw new BadInputException($"{option}: unknown strategy '{word}' (known: {string.Join(", ", all.Select(s => $"{s.Engine}:{s.Strategy}"))})");
            }

            result.AddRange(matches.Where(m => !result.Contains(m)));
        }

        return result;
    }

    private static DefectHunt Hunt(Defect defect, Search search, ulong seed)
    {
        try
        {
            return DefectHunt.Run(defect, search.Engine, search.Strategy, seed, search.Budget);
        }
        catch (InvalidOperationException e) when (e.Message.Contains("not rewritten", StringComparison.Ordinal))
        {
            throw new BadInputException(e.Message);
        }
    }

    private static void Print(List<(Defect Defect, Search Search, List<DefectHunt> Hunts)> rows, bool asJson, TextWriter stdout)
    {
        static string Number(double value, string format) => double.IsNaN(value) ? "-" : value.ToString(format, CultureInfo.InvariantCulture);

        if (!asJson)
        {
            stdout.WriteLine($"{"defect",-22} {"scenario",-16} {"engine",-7} {"strategy",-15} {"budget",7} {"found",7} {"median iterations",18} {"median wall (s)",16}");
        }

        foreach (var (defect, search, hunts) in rows)
        {
            var stats = FindingStats.Of(hunts.Count, hunts.Where(h => h.Found).Select(h => (h.Iterations, h.Wall.TotalSeconds)));
            if (asJson)
            {
                stdout.WriteLine(JsonSerializer.Serialize(new
                {
                    defect = defect.Name,
                    scenario = ScenarioCatalog.HomeOf(defect.Name)?.Name,
                    engine = search.Engine,
                    strategy = search.Strategy,
                    budget = search.Budget,
                    found = stats.Found,
                    total = stats.Total,
                    medianIterations = double.IsNaN(stats.MedianIterations) ? (double?)null : stats.MedianIterations,
                    medianWallSeconds = double.IsNaN(stats.MedianWallSeconds) ? (double?)null : Math.Round(stats.MedianWallSeconds, 3),
                }, Json));
            }
            else
            {
                stdout.WriteLine($"{defect.Name,-22} {ScenarioCatalog.HomeOf(defect.Name)?.Name,-16} {search.Engine,-7} {search.Strategy,-15} {search.Budget,7} {$"{stats.Found}/{stats.Total}",7} {Number(stats.MedianIterations, "G4"),18} {Number(stats.MedianWallSeconds, "F3"),16}");
            }
        }
    }

    private static int Positive(int value, string option) =>
        value > 0 ? value : throw new BadInputException($"{option} must be positive (got {value})");
}
