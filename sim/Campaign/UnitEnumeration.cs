using Sim.Engine;

namespace Sim.Campaign;

/// <summary>
/// The campaign's units in their one deterministic order. A stream's units take seeds <c>base</c>, <c>base + 1</c>, ...
/// Streams are interleaved round by round: round r gives every stream that still has units its next <c>weight</c>
/// units (one unless scenarios.yaml gives the engine entry a weight), so the first round gives every stream, planted
/// ones included, a unit before any stream gets a round's second, and a short wall budget still covers every
/// scenario, strategy and defect; a weight gives a cheap stream (Coyote on a focused scenario) a larger share of the
/// wall budget. Within a round the cheapest units come first: the engines in the order of <see cref="Engines.All"/>
/// (loop runs take well under a second, Coyote iterations several), within an engine the planted streams (a planted
/// unit ends at its defect's first violation, usually long before the horizon), then the file's order (scenarios,
/// then defects; within an entry: engine, strategy, profile). A stream with <c>until-budget</c> iterations is in every
/// round, so the enumeration is endless and the wall budget ends the campaign. Shard i of n takes the units whose index
/// is i modulo n, so the n shards together are exactly the unsharded campaign.
/// </summary>
public static class UnitEnumeration
{
    /// <summary>
    /// The version of this order, recorded in every campaign line: a resume under another order would give old unit
    /// indices to other units, so it is refused. 1: the file's order; 2: cheapest first, seeds from a seed base;
    /// 3: weights (a stream's k-th unit has seed base + k).
    /// </summary>
    public const int Version = 3;

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

        // OrderBy is stable: the file's order holds within an engine and kind.
        var engines = Engines.Names.ToList();
        return [.. streams.OrderBy(s => engines.IndexOf(s.Engine)).ThenBy(s => s.Planted ? 0 : 1)];

        void Add(string scenario, IReadOnlyList<string> defects, IReadOnlyList<EngineEntry> engines)
        {
            foreach (var engine in engines)
            {
                foreach (var strategy in engine.Strategies)
                {
                    foreach (var profile in engine.Profiles)
                    {
                        streams.Add(new UnitStream(scenario, profile, engine.Engine, strategy, engine.Bound, [.. defects.Order(StringComparer.Ordinal)], engine.Iterations, engine.Weight));
                    }
                }
            }
        }
    }

    /// <summary>Every unit of the campaign from <paramref name="seedBase"/> on, in order; endless when a stream runs until the budget.</summary>
    public static IEnumerable<WorkUnit> All(CampaignConfig config, ulong seedBase)
    {
        var streams = Streams(config);
        long index = 0;
        for (var round = 0L; ; round++)
        {
            var any = false;
            foreach (var stream in streams)
            {
                for (var k = round * stream.Weight; k < (round + 1) * stream.Weight; k++)
                {
                    if (stream.Iterations is { } n && k >= n)
                    {
                        break;
                    }

                    any = true;
                    yield return new WorkUnit(index++, stream, unchecked(seedBase + (ulong)k));
                }
            }

            if (!any)
            {
                yield break;
            }
        }
    }

    /// <summary>This shard's units, in order.</summary>
    public static IEnumerable<WorkUnit> ForShard(CampaignConfig config, Shard shard, ulong seedBase) =>
        All(config, seedBase).Where(u => u.Index % shard.Count == shard.Index);

    /// <summary>How many units the shard has, or null when a stream runs until the wall budget ends.</summary>
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
