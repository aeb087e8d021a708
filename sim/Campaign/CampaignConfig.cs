namespace Sim.Campaign;

/// <summary>
/// The campaign of <c>scenarios.yaml</c>, validated: which scenarios run under which fault profiles,
/// engines and strategies, for how long, and which defects are planted for the bug-finding benchmark.
/// </summary>
/// <param name="Path">The file, as the user named it.</param>
/// <param name="Hash">The file's SHA-256, first 16 hex digits: a resumed campaign must have the same.</param>
/// <param name="Budget">The wall-time budget, if any (the text as written, e.g. <c>5m</c>, and its value).</param>
/// <param name="SeedStart">The first seed of every stream of units.</param>
/// <param name="Timeout">How long one unit may run before its worker is declared hung, killed and replaced.</param>
/// <param name="Workers">Worker processes when <c>--workers</c> is not given (null: one per core).</param>
/// <param name="Scenarios">The scenarios explored without defects.</param>
/// <param name="Defects">The defects planted, each in its own scenario.</param>
public sealed record CampaignConfig(
    string Path,
    string Hash,
    (string Text, TimeSpan Value)? Budget,
    ulong? SeedStart,
    TimeSpan Timeout,
    int? Workers,
    IReadOnlyList<ScenarioEntry> Scenarios,
    IReadOnlyList<DefectEntry> Defects);

/// <summary>One scenario of the campaign.</summary>
/// <param name="Name">A scenario of the catalogue.</param>
/// <param name="Engines">How it is explored.</param>
/// <param name="Line">Where the entry starts in the file (for messages).</param>
public sealed record ScenarioEntry(string Name, IReadOnlyList<EngineEntry> Engines, int Line);

/// <summary>A defect of the catalogue planted in its scenario.</summary>
/// <param name="Name">The defect's name.</param>
/// <param name="Scenario">Its scenario (from the catalogue).</param>
/// <param name="Engines">How the planted scenario is explored.</param>
/// <param name="Line">Where the entry starts in the file.</param>
public sealed record DefectEntry(string Name, string Scenario, IReadOnlyList<EngineEntry> Engines, int Line);

/// <summary>One engine over a scenario: its strategies, fault profiles and iteration budget.</summary>
/// <param name="Engine"><c>loop</c> or <c>coyote</c>.</param>
/// <param name="Strategies">The engine's strategies; each is a stream of units of its own.</param>
/// <param name="Profiles">Fault profiles: null is the scenario's own profile, else a built-in profile's name.</param>
/// <param name="Iterations">Units (seeds) per strategy and profile; null (<c>until-budget</c>): new seeds until the wall budget ends.</param>
/// <param name="Bound">Coyote's strategy bound, if set.</param>
/// <param name="Path">The entry's key path, e.g. <c>scenarios[0].engines[1]</c>.</param>
/// <param name="Line">Where the entry starts in the file.</param>
/// <param name="Weight">Units each of its streams gets per round (1 unless the file says): how a cheap stream, such as
/// Coyote on a focused scenario, is given a larger share of the wall budget than one unit per round.</param>
public sealed record EngineEntry(string Engine, IReadOnlyList<string> Strategies, IReadOnlyList<string?> Profiles, int? Iterations, uint? Bound, string Path, int Line, int Weight = 1);
