namespace Sim.Report;

// The lines of DIR/results.jsonl are Sim.Campaign's (ResultLines.cs); DIR/defects.jsonl, written by
// `sim bench --defects`, holds one of these per search. JSON Lines, camelCase, each with a "type".

/// <summary><c>{"type":"defect-bench"}</c>: one search for a planted defect by `sim bench --defects` (DIR/defects.jsonl).</summary>
/// <param name="Seed">The search's starting seed (loop: the first seed run; coyote: Coyote's random seed).</param>
/// <param name="Iterations">Iterations until the defect was found, or the whole budget when it was not.</param>
public sealed record DefectBenchRecord(string Defect, string Scenario, string Engine, string Strategy, ulong Seed, bool Found, long Iterations, double WallSeconds)
{
    public string Type { get; init; } = "defect-bench";
}
