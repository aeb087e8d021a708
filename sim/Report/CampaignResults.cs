using Sim.Bench;
using Sim.Campaign;

namespace Sim.Report;

/// <summary>A record with where it was read: its file and line, and the campaign run (config hash, shard) it belongs to.</summary>
public sealed record Placed<T>(T Record, string File, int Line, string? ConfigHash, string? Shard)
{
    /// <summary>The results directory the record was read from.</summary>
    public string Directory => Path.GetDirectoryName(Path.GetFullPath(File))!;
}

/// <summary>One row of the findings table: the findings of one (scenario, invariant) pair.</summary>
/// <param name="First">The finding of the lowest unit: its replay command is the row's.</param>
/// <param name="Directory">The results directory <paramref name="First"/> was read from (its files are relative to it).</param>
/// <param name="Count">How many units found it.</param>
/// <param name="Planted">Whether every unit that found it had a defect planted (an expected finding).</param>
public sealed record DistinctFinding(string Scenario, string Invariant, FindingLine First, string Directory, int Count, bool Planted, IReadOnlyList<string> Engines);

/// <summary>
/// The merged results of one or more result directories (shards): every record once. Iterations and findings
/// are keyed by (config hash, unit), so a directory given twice, or a unit written twice, counts once.
/// </summary>
public sealed class CampaignResults
{
    public List<string> Directories { get; } = [];

    /// <summary>The files read and how many records each gave.</summary>
    public List<(string File, int Records)> Files { get; } = [];

    public List<Placed<CampaignLine>> Campaigns { get; } = [];

    public List<Placed<IterationLine>> Iterations { get; } = [];

    public List<Placed<FindingLine>> Findings { get; } = [];

    public List<Placed<BatchLine>> Batches { get; } = [];

    public List<DefectBenchRecord> DefectHunts { get; } = [];

    /// <summary>What the reader skipped and why (a truncated last line, records of unknown types, duplicates).</summary>
    public List<string> Warnings { get; } = [];

    public int TruncatedLines { get; set; }

    public int DuplicatesDropped { get; set; }

    /// <summary>Iterations in unit order (the order of the campaign's enumeration, whatever shard ran them).</summary>
    public IEnumerable<Placed<IterationLine>> IterationsInUnitOrder =>
        Iterations.OrderBy(i => i.Record.Unit).ThenBy(i => i.ConfigHash, StringComparer.Ordinal);

    /// <summary>Findings de-duplicated by (scenario, invariant): the unexpected ones first, each kind in the order first found.</summary>
    public IReadOnlyList<DistinctFinding> DistinctFindings() =>
        [.. Findings
            .OrderBy(f => f.Record.Unit)
            .GroupBy(f => (f.Record.Scenario, f.Record.Invariant))
            .OrderBy(g => g.All(f => f.Record.Planted))
            .Select(g => new DistinctFinding(
                g.Key.Scenario,
                g.Key.Invariant,
                g.First().Record,
                g.First().Directory,
                g.Count(),
                g.All(f => f.Record.Planted),
                [.. g.Select(f => $"{f.Record.Engine}/{f.Record.Strategy}").Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)]))];

    /// <summary>The defects the campaigns plant (from their campaign lines), whether or not a unit of theirs ran.</summary>
    public IReadOnlyList<string> PlantedDefects() =>
        [.. Campaigns.SelectMany(c => c.Record.PlantedDefects ?? []).Concat(Iterations.SelectMany(i => i.Record.Defects)).Distinct(StringComparer.Ordinal)];

    /// <summary>The seed bases the campaigns ran with, and where each came from.</summary>
    public IReadOnlyList<(ulong Base, string Source)> SeedBases() =>
        [.. Campaigns.Where(c => c.Record.SeedBase is not null).Select(c => (c.Record.SeedBase!.Value, c.Record.SeedSource ?? "?")).DistinctBy(b => b.Value).OrderBy(b => b.Value)];

    /// <summary>The shards seen, e.g. 0/3 and 2/3, in order.</summary>
    public IReadOnlyList<string> Shards() =>
        [.. Campaigns.Select(c => c.Record.Shard).Concat(Batches.Select(b => b.Record.Shard)).OfType<string>().Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)];
}
