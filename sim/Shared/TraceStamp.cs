using System.Text.Json;
using System.Text.Json.Nodes;

namespace Sim.Shared;

/// <summary>
/// A Coyote trace names no scenario: replayed against another scenario it merely "diverges". So the trace Sim writes
/// carries a <c>"Sim"</c> section (Coyote ignores properties it does not know) with the finding's identity, and a
/// replay compares it field by field with the bug report: a trace that does not belong to its report is bad input.
/// </summary>
public static class TraceStamp
{
    private const string Section = "Sim";

    /// <summary>The trace with the report's identity added.</summary>
    public static string Add(string trace, BugReport report)
    {
        var root = JsonNode.Parse(trace)?.AsObject() ?? throw new InvalidOperationException("Coyote wrote a trace that is not a JSON object");
        root[Section] = JsonSerializer.SerializeToNode(Identity(report));
        return root.ToJsonString(new JsonSerializerOptions { WriteIndented = true });
    }

    /// <summary>
    /// Throws <see cref="BadInputException"/> naming the first field on which the trace's stamp and the report disagree.
    /// A trace without a stamp (written before stamps, or by Coyote itself) is not checked.
    /// </summary>
    public static void Check(JsonElement trace, string tracePath, BugReport report, string reportPath)
    {
        if (trace.ValueKind != JsonValueKind.Object || !trace.TryGetProperty(Section, out var stamp) || stamp.ValueKind != JsonValueKind.Object)
        {
            return;
        }

        foreach (var (field, expected) in Identity(report))
        {
            var actual = stamp.TryGetProperty(field, out var value) ? value.ValueKind == JsonValueKind.Null ? null : value.ToString() : null;
            if (actual != expected)
            {
                throw new BadInputException($"{tracePath} does not belong to {reportPath}: field '{field}' is {Quote(expected)} in the bug report but {Quote(actual)} in the trace");
            }
        }
    }

    private static string Quote(string? value) => value is null ? "absent" : $"'{value}'";

    private static Dictionary<string, string?> Identity(BugReport report) => new(StringComparer.Ordinal)
    {
        ["scenario"] = report.Scenario,
        ["engine"] = report.Engine,
        ["seed"] = report.Seed.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["strategy"] = report.Strategy,
        ["strategyBound"] = report.StrategyBound?.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["defects"] = string.Join(",", report.Defects),
        ["faults"] = report.Faults,
        ["invariant"] = report.Invariant,
        ["hash"] = report.Hash,
    };
}
