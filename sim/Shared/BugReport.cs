using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using Sim.Scenarios;
using Sim.Stack.Defects;

namespace Sim.Shared;

/// <summary>
/// What `sim explore` and `sim fuzz` write beside a finding (<c>*.bug.json</c>) and `sim replay` reads back: the run's
/// configuration, the invariant and the event-log hash to reproduce, and for the Coyote engine the name of Coyote's
/// reproducible trace file (<c>*.trace</c>) next to it. Its <see cref="Seal"/> covers every other field, so a report
/// edited by hand is caught as inconsistent instead of replaying as something else.
/// </summary>
public sealed record BugReport
{
    public const string CurrentFormat = "sim-bug/1";

    public string Format { get; init; } = CurrentFormat;

    public required string Engine { get; init; }

    public required string Scenario { get; init; }

    public required ulong Seed { get; init; }

    public required string Strategy { get; init; }

    public uint? StrategyBound { get; init; }

    public int PctDepth { get; init; } = 3;

    public string[] Defects { get; init; } = [];

    public string? Faults { get; init; }

    /// <summary>Whether BUGGIFY was on (it changes the run, so the replay must agree).</summary>
    public bool Buggify { get; init; } = true;

    public int EarlyFireOdds { get; init; } = 20;

    public long MaxSteps { get; init; } = 500_000;

    public required string Invariant { get; init; }

    public required string Message { get; init; }

    public required string Hash { get; init; }

    /// <summary>Coyote's reproducible trace, relative to the report.</summary>
    public string? Trace { get; init; }

    /// <summary>The first 16 hex digits of the SHA-256 of the report's other fields; absent in reports written before it existed.</summary>
    public string? Seal { get; init; }

    public static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        WriteIndented = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    private static readonly JsonSerializerOptions Compact = new(Json) { WriteIndented = false };

    /// <summary>Writes the report, sealed.</summary>
    public void Write(string path) => File.WriteAllText(path, JsonSerializer.Serialize(this with { Seal = ComputeSeal() }, Json));

    /// <summary>The seal of the report's fields (everything but the seal itself).</summary>
    public string ComputeSeal() =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(JsonSerializer.Serialize(this with { Seal = null }, Compact))))[..16];

    /// <summary>Reads a report; throws <see cref="BadInputException"/> naming the file and what is wrong.</summary>
    public static BugReport Read(string path)
    {
        if (!File.Exists(path))
        {
            throw new BadInputException($"{path}: no such file");
        }

        BugReport? report;
        try
        {
            report = JsonSerializer.Deserialize<BugReport>(File.ReadAllText(path), Json);
        }
        catch (JsonException e)
        {
            throw new BadInputException($"{path}: not a Sim bug report (corrupt or truncated JSON at line {e.LineNumber + 1}, byte {e.BytePositionInLine}: {e.Message})");
        }

        if (report is null || report.Format != CurrentFormat)
        {
            throw new BadInputException($"{path}: not a Sim bug report (format '{report?.Format}', expected '{CurrentFormat}')");
        }

        return report;
    }

    /// <summary>
    /// Checks that the report's fields belong together: its scenario exists, its defects are that scenario's, and its
    /// seal matches (it was not edited after it was written). Each problem names the fields that disagree.
    /// </summary>
    public void CheckConsistent(string path)
    {
        string Inconsistent(string what) => $"{path}: inconsistent bug report: {what}";
        if (ScenarioCatalog.Find(Scenario) is null)
        {
            throw new BadInputException(Inconsistent($"field 'scenario' names '{Scenario}', which is not a scenario of this build (known: {string.Join(", ", ScenarioCatalog.All.Select(s => s.Name))})"));
        }

        foreach (var name in Defects)
        {
            var defect = DefectCatalogue.Find(name)
                ?? throw new BadInputException(Inconsistent($"field 'defects' names '{name}', which is not a defect of this build (known: {string.Join(", ", DefectCatalogue.All.Select(d => d.Name))})"));
            if (ScenarioCatalog.Find(Scenario) is { } scenario && ScenarioCatalog.WhyNotPlantable(defect.Name, scenario) is not null)
            {
                var claimants = string.Join(", ", ScenarioCatalog.Claiming(defect.Name).Select(s => $"'{s.Name}'"));
                throw new BadInputException(Inconsistent($"field 'defects' names '{name}', a defect of scenario {(claimants.Length == 0 ? "(none)" : claimants)}, but field 'scenario' is '{Scenario}'"));
            }
        }

        if (Seal is { } seal && seal != ComputeSeal())
        {
            throw new BadInputException(Inconsistent($"its fields were changed after it was written (its seal {seal} no longer matches them); replay the finding from its seed, or find it again"));
        }
    }
}
