namespace Sim.Report;

// The campaign results format shared by `sim fuzz` (which writes DIR/results.jsonl) and `sim bench --defects`
// (which writes DIR/defects.jsonl): JSON Lines, camelCase, one object per line, each with a "type". `sim report`
// reads these records; properties it does not know are ignored, so newer writers stay readable.

/// <summary><c>{"type":"campaign"}</c>: written at every start or resume of a campaign run.</summary>
public sealed record CampaignRecord(string? Config, string? ConfigHash, string? Shard, string? Budget, int? Workers, bool Resumed, string? StartedUtc);

/// <summary><c>{"type":"iteration"}</c>: one finished work unit (one loop-engine run, or one Coyote iteration).</summary>
/// <param name="Unit">The unit's index in the campaign's deterministic enumeration (the same in every shard).</param>
/// <param name="Verdict"><c>ok</c>, <c>bug</c>, <c>crash</c> or <c>hang</c>.</param>
/// <param name="WallSeconds">Wall time the worker spent on the unit.</param>
/// <param name="VirtualSeconds">Virtual time the run covered.</param>
public sealed record IterationRecord(
    long Unit,
    string Scenario,
    string Engine,
    string Strategy,
    string? Profile,
    IReadOnlyList<string>? Defects,
    bool Planted,
    ulong Seed,
    string Verdict,
    string? Invariant,
    string? Message,
    string? Hash,
    double WallSeconds,
    double? VirtualSeconds,
    long? Steps,
    int? Worker);

/// <summary><c>{"type":"finding"}</c>: one bug, crash or hang unit, with the command that replays it.</summary>
public sealed record FindingRecord(
    long Unit,
    string Scenario,
    string Engine,
    string Strategy,
    string? Profile,
    IReadOnlyList<string>? Defects,
    bool Planted,
    ulong Seed,
    string Invariant,
    string? Message,
    string? Hash,
    string? Replay,
    IReadOnlyList<string>? Files);

/// <summary><c>{"type":"batch"}</c>: written when a campaign run ends (budget exhausted, all units done, or Ctrl-C).</summary>
public sealed record BatchRecord(string? Shard, long Units, long Bugs, double WallSeconds, string? FinishedUtc);

/// <summary><c>{"type":"defect-bench"}</c>: one search for a planted defect by `sim bench --defects` (DIR/defects.jsonl).</summary>
/// <param name="Seed">The search's starting seed (loop: the first seed run; coyote: Coyote's random seed).</param>
/// <param name="Iterations">Iterations until the defect was found, or the whole budget when it was not.</param>
public sealed record DefectBenchRecord(string Defect, string Scenario, string Engine, string Strategy, ulong Seed, bool Found, long Iterations, double WallSeconds);
