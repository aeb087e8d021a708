using System.Text.Json;
using System.Text.Json.Serialization;

namespace Sim.Cli;

/// <summary>
/// What `sim explore` writes beside a finding (<c>*.bug.json</c>) and `sim replay` reads back: the run's
/// configuration, the invariant and the event-log hash to reproduce, and for the Coyote engine the name of
/// Coyote's reproducible trace file (<c>*.trace</c>) next to it.
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

    public int EarlyFireOdds { get; init; } = 20;

    public long MaxSteps { get; init; } = 500_000;

    public required string Invariant { get; init; }

    public required string Message { get; init; }

    public required string Hash { get; init; }

    /// <summary>Coyote's reproducible trace, relative to the report.</summary>
    public string? Trace { get; init; }

    public static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        WriteIndented = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    public void Write(string path) => File.WriteAllText(path, JsonSerializer.Serialize(this, Json));

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
}
