using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Sim.Engine;
using Sim.Scenarios;
using Sim.Shared;
using Sim.Stack.Defects;

namespace Sim.Bench;

/// <summary>
/// The bug-finding benchmark, `sim bench --defects`: every defect of the catalogue, planted in its scenario, searched
/// for by each engine and strategy from k starting seeds within an iteration budget. Prints the table (defect ×
/// engine/strategy → found/total, median iterations, median wall time) and, with an output directory, writes one
/// <see cref="DefectBenchRecord"/> line per search to DIR/defects.jsonl for `sim report`.
/// </summary>
public static class DefectBench
{
    public const string FileName = "defects.jsonl";
    public const int DefaultSeeds = 3;

    private static readonly JsonSerializerOptions Json = new() { PropertyNamingPolicy = JsonNamingPolicy.CamelCase };

    /// <summary>One engine/strategy pair and the iteration budget of each of its searches.</summary>
    public sealed record Search(string Engine, string Strategy, int Budget);

    /// <summary>What to run: the defects, the searches, seeds per search, and where to write defects.jsonl (if anywhere).</summary>
    public sealed record Request(IReadOnlyList<Defect> Defects, IReadOnlyList<Search> Searches, int Seeds, string? OutDir, bool Json);

    /// <summary>Runs the benchmark; the output directory, if any, must have been checked (see <see cref="OutputDirectory"/>).</summary>
    public static int Run(Request request, TextWriter stdout, TextWriter stderr)
    {
        using var file = request.OutDir is { } dir ? new StreamWriter(Path.Combine(dir, FileName), append: false) : null;
        var started = Stopwatch.GetTimestamp();
        var rows = new List<(Defect Defect, Search Search, List<DefectHunt> Hunts)>();
        foreach (var defect in request.Defects)
        {
            foreach (var search in request.Searches)
            {
                stderr.WriteLine($"defects: {defect.Name} ({ScenarioCatalog.HomeOf(defect.Name, search.Engine)?.Name}) with {search.Engine}/{search.Strategy}, {request.Seeds} seed(s), budget {search.Budget}");
                var hunts = new List<DefectHunt>();
                for (var i = 0; i < request.Seeds; i++)
                {
                    var hunt = Hunt(defect, search, (ulong)(1 + (i * 1000)));
                    if (hunt.TestbedError is { } error)
                    {
                        stderr.WriteLine($"defects: TESTBED DEFECT with {search.Engine}/{search.Strategy} seed {hunt.Seed}: {error}");
                    }

                    hunts.Add(hunt);
                    file?.WriteLine(JsonSerializer.Serialize(
                        new DefectBenchRecord(hunt.Defect, hunt.Scenario, hunt.Engine, hunt.Strategy, hunt.Seed, hunt.Found, hunt.Iterations, Math.Round(hunt.Wall.TotalSeconds, 4)), Json));
                    file?.Flush();
                }

                rows.Add((defect, search, hunts));
            }
        }

        Print(rows, request.Json, stdout);
        if (!request.Json)
        {
            stdout.WriteLine($"{rows.Sum(r => r.Hunts.Count)} searches in {Stopwatch.GetElapsedTime(started).TotalSeconds:F1} s wall{(request.OutDir is { } written ? $"; wrote {Path.Combine(written, FileName)}" : "")}");
        }

        return ExitCodes.Ok;
    }

    /// <summary>The engine/strategy pairs to run: every strategy of every engine, or those named, less those skipped.</summary>
    /// <param name="budgets">Each engine's iteration budget per search, by engine name.</param>
    public static IReadOnlyList<Search> Select(string? include, string? skip, IReadOnlyDictionary<string, int> budgets)
    {
        var all = Engines.All.SelectMany(e => e.Strategies.Select(s => new Search(e.Name, s, budgets[e.Name]))).ToList();
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
            if (engine is not null && Engines.Find(engine) is null)
            {
                throw new BadInputException($"{option}: unknown engine '{engine}' in '{word}' (known: {string.Join(", ", Engines.Names)})");
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

        // The defect column is as wide as the longest name in the table (reschedule-double-commit is 24).
        var width = Math.Max("defect".Length, rows.Count == 0 ? 0 : rows.Max(r => r.Defect.Name.Length));
        if (!asJson)
        {
            stdout.WriteLine($"{"defect".PadRight(width)} {"scenario",-21} {"engine",-7} {"strategy",-15} {"budget",7} {"found",7} {"median iterations",18} {"median wall (s)",16}");
        }

        foreach (var (defect, search, hunts) in rows)
        {
            var stats = FindingStats.Of(hunts.Count, hunts.Where(h => h.Found).Select(h => (h.Iterations, h.Wall.TotalSeconds)));
            var scenario = ScenarioCatalog.HomeOf(defect.Name, search.Engine)?.Name;
            stdout.WriteLine(asJson
                ? JsonSerializer.Serialize(new
                {
                    defect = defect.Name,
                    scenario,
                    engine = search.Engine,
                    strategy = search.Strategy,
                    budget = search.Budget,
                    found = stats.Found,
                    total = stats.Total,
                    medianIterations = double.IsNaN(stats.MedianIterations) ? (double?)null : stats.MedianIterations,
                    medianWallSeconds = double.IsNaN(stats.MedianWallSeconds) ? (double?)null : Math.Round(stats.MedianWallSeconds, 3),
                }, Json)
                : $"{defect.Name.PadRight(width)} {scenario,-21} {search.Engine,-7} {search.Strategy,-15} {search.Budget,7} {$"{stats.Found}/{stats.Total}",7} {Number(stats.MedianIterations, "G4"),18} {Number(stats.MedianWallSeconds, "F3"),16}");
        }
    }
}
