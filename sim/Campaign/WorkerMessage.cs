using System.Text.Json;

namespace Sim.Campaign;

/// <summary>
/// What the coordinator and its workers say over NetMQ, one JSON frame each. Worker to coordinator:
/// <c>ready</c> (give me a unit) and <c>result</c>. Coordinator to worker: <c>unit</c> and <c>stop</c>.
/// </summary>
/// <param name="Kind"><c>ready</c>, <c>result</c>, <c>unit</c> or <c>stop</c>.</param>
/// <param name="Unit">The unit to run (<c>unit</c>).</param>
/// <param name="Result">What the unit gave (<c>result</c>).</param>
public sealed record WorkerMessage(string Kind, UnitOrder? Unit = null, UnitResult? Result = null)
{
    private static readonly JsonSerializerOptions Json = new() { PropertyNamingPolicy = JsonNamingPolicy.CamelCase };

    public string ToJson() => JsonSerializer.Serialize(this, Json);

    public static WorkerMessage FromJson(string json) =>
        JsonSerializer.Deserialize<WorkerMessage>(json, Json) ?? throw new JsonException("empty worker message");
}

/// <summary>A unit as a worker receives it, with the directory its finding's files go to.</summary>
public sealed record UnitOrder(long Unit, string Scenario, string? Profile, string Engine, string Strategy, uint? Bound, string[] Defects, ulong Seed, string FindingsDir)
{
    public static UnitOrder For(WorkUnit unit, string findingsDir)
    {
        var s = unit.Stream;
        return new UnitOrder(unit.Index, s.Scenario, s.Profile, s.Engine, s.Strategy, s.Bound, [.. s.Defects], unit.Seed, findingsDir);
    }
}

/// <summary>What one unit gave.</summary>
/// <param name="Unit">The unit's index.</param>
/// <param name="Verdict"><c>ok</c>, <c>bug</c>, or <c>crash</c> when the engine threw (the worker exits after sending it).</param>
/// <param name="Invariant">The invariant violated, for a bug.</param>
/// <param name="Message">The violation's message (or the exception, for a crash).</param>
/// <param name="Hash">The run's event-log hash.</param>
/// <param name="WallSeconds">Wall time of the unit.</param>
/// <param name="VirtualSeconds">Virtual time reached (the violation's time for a Coyote finding; unknown for a passing Coyote iteration).</param>
/// <param name="Steps">Scheduling steps.</param>
/// <param name="Files">The finding's files (absolute paths).</param>
/// <param name="ReplayFile">The file `sim replay` takes (a <c>.bug.json</c> or a Coyote <c>.trace</c>), if any.</param>
public sealed record UnitResult(long Unit, string Verdict, string? Invariant, string? Message, string? Hash, double WallSeconds, double? VirtualSeconds, long? Steps, string[] Files, string? ReplayFile);
