using System.Text.Json;
using System.Text.Json.Serialization;

namespace Sim.Campaign;

/// <summary>
/// The lines of a campaign's <c>results.jsonl</c> (JSON Lines, camelCase, one object per line, each with
/// a <c>type</c>): the contract between `sim fuzz`, which appends them, and `sim report`, which reads them.
/// </summary>
public static class ResultLines
{
    public static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
    };

    public static string Serialize(object line) => JsonSerializer.Serialize(line, line.GetType(), Json);

    /// <summary>An ISO 8601 UTC time stamp to the second, as the lines carry it.</summary>
    public static string Utc(DateTime time) => time.ToUniversalTime().ToString("yyyy-MM-ddTHH:mm:ssZ", System.Globalization.CultureInfo.InvariantCulture);
}

/// <summary>Written at every start and resume of a campaign.</summary>
public sealed record CampaignLine
{
    public string Type { get; init; } = "campaign";

    public required string Config { get; init; }

    public required string ConfigHash { get; init; }

    public required string Shard { get; init; }

    public required string? Budget { get; init; }

    public required int Workers { get; init; }

    public required bool Resumed { get; init; }

    public required string StartedUtc { get; init; }

    /// <summary>The seed base of every stream (unit seed = base + round); absent in lines written before seed bases.</summary>
    public ulong? SeedBase { get; init; }

    /// <summary>Where the seed base came from: the file, --seed-base, auto (the UTC date), or a resume.</summary>
    public string? SeedSource { get; init; }

    /// <summary>The defects the campaign plants (so a report can say "not run" for one that got no unit).</summary>
    public string[]? PlantedDefects { get; init; }

    /// <summary>The <see cref="UnitEnumeration.Version"/> that numbered the units; absent means 1.</summary>
    public int? Enumeration { get; init; }
}

/// <summary>One finished work unit: one loop-engine run, or one Coyote iteration.</summary>
public sealed record IterationLine
{
    public string Type { get; init; } = "iteration";

    public required long Unit { get; init; }

    public required string Scenario { get; init; }

    public required string Engine { get; init; }

    public required string Strategy { get; init; }

    public required string? Profile { get; init; }

    public required string[] Defects { get; init; }

    public required bool Planted { get; init; }

    public required ulong Seed { get; init; }

    /// <summary><c>ok</c>, <c>bug</c>, <c>crash</c> (the worker died) or <c>hang</c> (the worker outlived the unit timeout).</summary>
    public required string Verdict { get; init; }

    public required string? Invariant { get; init; }

    public required string? Message { get; init; }

    public required string? Hash { get; init; }

    public required double WallSeconds { get; init; }

    public required double? VirtualSeconds { get; init; }

    public required long? Steps { get; init; }

    public required int Worker { get; init; }

    /// <summary>Wall seconds from the start of this run of the campaign to the unit's end.</summary>
    public double? ElapsedSeconds { get; init; }
}

/// <summary>A bug, crash or hang, right after its iteration line, with the command that replays it.</summary>
public sealed record FindingLine
{
    /// <summary>The finding of a failed unit: the unit's fields from its iteration line.</summary>
    public static FindingLine Of(IterationLine unit, string invariant, string replay, string? replayFile, string[] files) => new()
    {
        Unit = unit.Unit,
        Scenario = unit.Scenario,
        Engine = unit.Engine,
        Strategy = unit.Strategy,
        Profile = unit.Profile,
        Defects = unit.Defects,
        Planted = unit.Planted,
        Seed = unit.Seed,
        Invariant = invariant,
        Message = unit.Message,
        Hash = unit.Hash,
        Replay = replay,
        ReplayFile = replayFile,
        Files = files,
    };

    public string Type { get; init; } = "finding";

    public required long Unit { get; init; }

    public required string Scenario { get; init; }

    public required string Engine { get; init; }

    public required string Strategy { get; init; }

    public required string? Profile { get; init; }

    public required string[] Defects { get; init; }

    public required bool Planted { get; init; }

    public required ulong Seed { get; init; }

    /// <summary>The invariant violated; <c>worker-crash</c> or <c>worker-hang</c> for a lost worker.</summary>
    public required string Invariant { get; init; }

    public required string? Message { get; init; }

    public required string? Hash { get; init; }

    /// <summary>The command that runs the unit again from its seed (`sim run` or `sim explore --iterations 1`): it names no file, so it works from any checkout.</summary>
    public required string Replay { get; init; }

    /// <summary>The file `sim replay` takes (its bug report or Coyote trace), relative to the results directory; null for a crash or hang.</summary>
    public string? ReplayFile { get; init; }

    /// <summary>The finding's files (bug report, trace, event log), relative to the results directory.</summary>
    public required string[] Files { get; init; }
}

/// <summary>Written when a campaign run ends: budget exhausted, all units done, or interrupted.</summary>
public sealed record BatchLine
{
    public string Type { get; init; } = "batch";

    public required string Shard { get; init; }

    /// <summary>Units finished by this run (not counting earlier runs of a resumed campaign).</summary>
    public required long Units { get; init; }

    /// <summary>Findings of this run.</summary>
    public required long Bugs { get; init; }

    public required double WallSeconds { get; init; }

    public required string FinishedUtc { get; init; }
}
