using System.Text.Json;
using Sim.Bench;
using Sim.Campaign;
using Sim.Shared;

namespace Sim.Report;

/// <summary>
/// Reads result directories (DIR/results.jsonl from `sim fuzz`, DIR/defects.jsonl from `sim bench --defects`) and
/// merges them. Tolerant where writers may be: a truncated last line (a writer stopped mid-line) is skipped with a
/// warning, records of unknown types are skipped and counted. Strict where data is damaged: a line in the middle
/// that is not a record is bad input naming file:line.
/// </summary>
public static class ResultsReader
{
    public const string ResultsFile = "results.jsonl";
    public const string DefectsFile = "defects.jsonl";

    private static readonly JsonSerializerOptions Options = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        RespectNullableAnnotations = true,
        RespectRequiredConstructorParameters = true,
    };

    public static CampaignResults Read(IReadOnlyList<string> directories)
    {
        if (directories.Count == 0)
        {
            throw new BadInputException("name at least one results directory");
        }

        var results = new CampaignResults();
        // A unit is its index in its campaign, and its seed tells the night (two nights share config and indices).
        var iterationKeys = new HashSet<(string?, long, ulong)>();
        var findingKeys = new HashSet<(string?, long, ulong)>();
        var huntKeys = new HashSet<(string, string, string, ulong)>();
        var unknown = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var directory in directories)
        {
            if (!Directory.Exists(directory))
            {
                throw new BadInputException($"{directory}: no such directory");
            }

            var files = new[] { ResultsFile, DefectsFile }.Select(f => Path.Combine(directory, f)).Where(File.Exists).ToList();
            if (files.Count == 0)
            {
                throw new BadInputException($"{directory}: holds neither {ResultsFile} (written by `sim fuzz --out DIR`) nor {DefectsFile} (written by `sim bench --defects --out DIR`)");
            }

            results.Directories.Add(directory);
            foreach (var file in files)
            {
                var records = 0;
                string? configHash = null;
                string? shard = null;
                foreach (var (number, type, root) in Lines(file, results))
                {
                    records++;
                    switch (type)
                    {
                        case "campaign":
                            var campaign = Parse<CampaignLine>(root, file, number, type);
                            (configHash, shard) = (campaign.ConfigHash, campaign.Shard);
                            results.Campaigns.Add(new(campaign, file, number, configHash, shard));
                            break;
                        case "iteration":
                            var iteration = Parse<IterationLine>(root, file, number, type);
                            if (iterationKeys.Add((configHash, iteration.Unit, iteration.Seed)))
                            {
                                results.Iterations.Add(new(iteration, file, number, configHash, shard));
                            }
                            else
                            {
                                results.DuplicatesDropped++;
                            }

                            break;
                        case "finding":
                            var finding = Parse<FindingLine>(root, file, number, type);
                            if (findingKeys.Add((configHash, finding.Unit, finding.Seed)))
                            {
                                results.Findings.Add(new(finding, file, number, configHash, shard));
                            }

                            break;
                        case "batch":
                            results.Batches.Add(new(Parse<BatchLine>(root, file, number, type), file, number, configHash, shard));
                            break;
                        case "defect-bench":
                            var hunt = Parse<DefectBenchRecord>(root, file, number, type);
                            if (huntKeys.Add((hunt.Defect, hunt.Engine, hunt.Strategy, hunt.Seed)))
                            {
                                results.DefectHunts.Add(hunt);
                            }
                            else
                            {
                                results.DuplicatesDropped++;
                            }

                            break;
                        default:
                            records--;
                            unknown[type] = unknown.GetValueOrDefault(type) + 1;
                            break;
                    }
                }

                results.Files.Add((file, records));
            }
        }

        foreach (var (type, count) in unknown.OrderBy(u => u.Key, StringComparer.Ordinal))
        {
            results.Warnings.Add($"skipped {count} record(s) of unknown type '{type}'");
        }

        if (results.DuplicatesDropped > 0)
        {
            results.Warnings.Add($"{results.DuplicatesDropped} record(s) seen twice (the same unit or search in two files) counted once");
        }

        return results;
    }

    /// <summary>The records of a file: line number, type and the parsed object.</summary>
    private static IEnumerable<(int Number, string Type, JsonElement Root)> Lines(string file, CampaignResults results)
    {
        var endsWithNewline = EndsWithNewline(file);
        var lines = File.ReadAllLines(file);
        var last = Array.FindLastIndex(lines, l => l.Trim().Length > 0);
        for (var i = 0; i < lines.Length; i++)
        {
            if (lines[i].Trim().Length == 0)
            {
                continue;
            }

            JsonDocument document;
            try
            {
                document = JsonDocument.Parse(lines[i]);
            }
            catch (JsonException e)
            {
                if (i == last && !endsWithNewline)
                {
                    results.TruncatedLines++;
                    results.Warnings.Add($"{file}:{i + 1}: truncated last line skipped (its writer stopped mid-line)");
                    yield break;
                }

                throw new BadInputException($"{file}:{i + 1}: not a JSON record ({e.Message})");
            }

            using (document)
            {
                var root = document.RootElement;
                if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("type", out var type) || type.ValueKind != JsonValueKind.String)
                {
                    throw new BadInputException($"{file}:{i + 1}: a record must be a JSON object with a string \"type\"");
                }

                yield return (i + 1, type.GetString()!, root.Clone());
            }
        }
    }

    private static T Parse<T>(JsonElement root, string file, int line, string type)
    {
        try
        {
            return root.Deserialize<T>(Options) ?? throw new JsonException("null record");
        }
        catch (JsonException e)
        {
            throw new BadInputException($"{file}:{line}: bad {type} record: {e.Message}");
        }
    }

    private static bool EndsWithNewline(string file)
    {
        using var stream = File.OpenRead(file);
        if (stream.Length == 0)
        {
            return true;
        }

        stream.Seek(-1, SeekOrigin.End);
        return stream.ReadByte() == '\n';
    }
}
