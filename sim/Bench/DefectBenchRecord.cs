namespace Sim.Bench;

/// <summary>
/// <c>{"type":"defect-bench"}</c>: one search for a planted defect by `sim bench --defects`, one line of DIR/defects.jsonl
/// (JSON Lines, camelCase), which `sim report` reads.
/// </summary>
/// <param name="Seed">The search's starting seed (loop: the first seed run; coyote: Coyote's random seed).</param>
/// <param name="Iterations">Iterations until the defect was found, or the whole budget when it was not.</param>
public sealed record DefectBenchRecord(string Defect, string Scenario, string Engine, string Strategy, ulong Seed, bool Found, long Iterations, double WallSeconds)
{
    public string Type { get; init; } = "defect-bench";
}
