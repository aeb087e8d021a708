namespace Sim.Campaign;

/// <summary>
/// The campaign's units in their one deterministic order. Streams are listed in the file's order
/// (scenarios, then planted defects; within an entry: engine, strategy, profile) and interleaved round
/// by round: round r gives every stream that still has units its unit with seed start + r. So a short
/// wall budget still covers every scenario, strategy and defect. Shard i of n takes the units whose
/// index is i modulo n, so the n shards together are exactly the unsharded campaign.
/// </summary>
public static class UnitEnumeration
{
    public static IReadOnlyList<UnitStream> Streams(CampaignConfig config)
    {
        var streams = new List<UnitStream>();
        foreach (var scenario in config.Scenarios)
        {
            Add(scenario.Name, [], scenario.Engines);
        }

        foreach (var defect in config.Defects)
        {
            Add(defect.Scenario, [defect.Name], defect.Engines);
        }

        return streams;

        void Add(string scenario, IReadOnlyList<string> defects, IReadOnlyList<EngineEntry> engines)
        {
            foreach (var engine in engines)
            {
                foreach (var strategy in engine.Strategies)
                {
                    foreach (var profile in engine.Profiles)
                    {
                        streams.Add(new UnitStream(scenario, profile, engine.Engine, strategy, engine.Bound, [.. defects.Order(StringComparer.Ordinal)], engine.Iterations));
                    }
                }
            }
        }
    }

    /// <summary>Every unit of the campaign, in order; endless when a stream has no iteration budget.</summary>
    public static IEnumerable<WorkUnit> All(CampaignConfig config)
    {
        var streams = Streams(config);
        long index = 0;
        for (var round = 0; ; round++)
        {
            var any = false;
            foreach (var stream in streams)
            {
                if (stream.Iterations is { } n && round >= n)
                {
                    continue;
                }

                any = true;
                yield return new WorkUnit(index++, stream, config.SeedStart + (ulong)round);
            }

            if (!any)
            {
                yield break;
            }
        }
    }

    /// <summary>This shard's units, in order.</summary>
    public static IEnumerable<WorkUnit> ForShard(CampaignConfig config, Shard shard) => All(config).Where(u => u.Index % shard.Count == shard.Index);

    /// <summary>How many units the shard has, or null when the campaign is bounded by wall time only.</summary>
    public static long? Count(CampaignConfig config, Shard shard)
    {
        var streams = Streams(config);
        if (streams.Any(s => s.Iterations is null))
        {
            return null;
        }

        var total = streams.Sum(s => (long)s.Iterations!.Value);
        return (total / shard.Count) + (shard.Index < total % shard.Count ? 1 : 0);
    }
}
