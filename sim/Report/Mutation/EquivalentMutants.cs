using System.Text.Json;
using System.Text.Json.Serialization;

namespace Sim.Report.Mutation;

/// <summary>
/// A surviving mutant judged equivalent: no behaviour of the stack changes, so no oracle could kill it. Named by
/// what Stryker's report says of it (file, line, mutator, replacement, and the original code it mutates), with the
/// reason in plain words. With the original code named, the entry follows its code when edits above move it.
/// </summary>
public sealed record EquivalentMutant(
    [property: JsonPropertyName("file")] string File,
    [property: JsonPropertyName("line")] int Line,
    [property: JsonPropertyName("mutator")] string Mutator,
    [property: JsonPropertyName("replacement")] string Replacement,
    [property: JsonPropertyName("reason")] string Reason,
    [property: JsonPropertyName("original")] string? Original = null)
{
    public override string ToString() => $"{File}:{Line} {Mutator} -> {Replacement}";
}

/// <summary>The checked-in list of equivalent mutants (tests/Sim.Oracles/equivalent-mutants.json).</summary>
public sealed class EquivalentMutants
{
    public const string DefaultPath = "tests/Sim.Oracles/equivalent-mutants.json";

    private EquivalentMutants(IReadOnlyList<EquivalentMutant> entries) => Entries = entries;

    public IReadOnlyList<EquivalentMutant> Entries { get; }

    public static EquivalentMutants Empty { get; } = new([]);

    /// <summary>Reads the list; every entry must name a file, a line, a mutator and a reason.</summary>
    public static EquivalentMutants Load(string path)
    {
        if (!File.Exists(path))
        {
            throw new InvalidDataException($"{path}: no such file");
        }

        ListFile? list;
        try
        {
            list = JsonSerializer.Deserialize<ListFile>(File.ReadAllText(path));
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{path}: not valid JSON: {e.Message}", e);
        }

        var entries = list?.Equivalent ?? throw new InvalidDataException($"{path}: expected an object with an \"equivalent\" array");
        for (var i = 0; i < entries.Count; i++)
        {
            var e = entries[i];
            var missing = new[] { (e.File, "file"), (e.Mutator, "mutator"), (e.Reason, "reason") }.FirstOrDefault(f => string.IsNullOrWhiteSpace(f.Item1)).Item2;
            if (missing is not null || e.Line < 1)
            {
                throw new InvalidDataException($"{path}: equivalent[{i}] needs a non-empty \"{missing ?? "line"}\"{(missing is null ? " (a line number from 1)" : "")}");
            }
        }

        return new EquivalentMutants(entries);
    }

    /// <summary>
    /// Matches the list against a report's mutants. An entry matches the mutant with its file, line, mutator and
    /// replacement (and original code, when it names one). Failing the line: an entry that names its original code
    /// matches the mutants of that code, mutator and replacement nearest its line (the code moved with edits above
    /// it); one that does not matches the one mutant of its file with its mutator and replacement, and a warning asks
    /// to update its line. An entry that matches a detected mutant was wrong, and one that matches nothing in a
    /// report covering its folder is stale: both are warnings.
    /// </summary>
    public EquivalenceMatch Match(IReadOnlyList<Mutant> mutants)
    {
        var equivalent = new HashSet<Mutant>(ReferenceEqualityComparer.Instance);
        var warnings = new List<string>();
        var files = mutants.Select(m => m.File).ToHashSet(StringComparer.Ordinal);
        foreach (var entry in Entries)
        {
            var same = mutants.Where(m => m.File == entry.File && m.Mutator == entry.Mutator && m.Replacement == entry.Replacement
                && (entry.Original is null || m.Original == entry.Original)).ToList();
            var found = same.Where(m => m.Line == entry.Line).ToList() is { Count: > 0 } exact ? exact
                : entry.Original is not null ? Nearest(same, entry.Line)
                : same.Count == 1 ? same : [];
            if (found.Count == 0)
            {
                if (files.Contains(entry.File))
                {
                    warnings.Add($"stale equivalent-mutant entry (no such mutant in the report): {entry}");
                }

                continue;
            }

            if (found[0].Line != entry.Line && entry.Original is null)
            {
                warnings.Add($"equivalent-mutant entry {entry} now matches line {found[0].Line}: update its line");
            }

            foreach (var mutant in found)
            {
                if (mutant.Detected)
                {
                    warnings.Add($"equivalent-mutant entry {entry} names a mutant the oracles detect ({mutant.Status}): it is not equivalent, remove it");
                }
                else if (mutant.Undetected)
                {
                    equivalent.Add(mutant);
                }
            }
        }

        return new EquivalenceMatch(equivalent, warnings);
    }

    private static List<Mutant> Nearest(List<Mutant> mutants, int line)
    {
        if (mutants.Count == 0)
        {
            return mutants;
        }

        var distance = mutants.Min(m => Math.Abs(m.Line - line));
        return [.. mutants.Where(m => Math.Abs(m.Line - line) == distance)];
    }

    private sealed record ListFile([property: JsonPropertyName("equivalent")] List<EquivalentMutant>? Equivalent);
}

/// <summary>Which mutants of a report the list declares equivalent, and what was wrong with the list.</summary>
public sealed record EquivalenceMatch(IReadOnlySet<Mutant> Equivalent, IReadOnlyList<string> Warnings);
