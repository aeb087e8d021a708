using Sim.Engine;
using Sim.Shared;

namespace Sim.Campaign;

/// <summary>One work unit: one loop-engine run, or one Coyote iteration with the unit's seed as Coyote's seed.</summary>
/// <param name="Index">The unit's index in the campaign's enumeration (the same in every shard).</param>
/// <param name="Stream">What runs.</param>
/// <param name="Seed">The run's seed.</param>
public sealed record WorkUnit(long Index, UnitStream Stream, ulong Seed)
{
    /// <summary>The command that runs this unit again from its seed, on any checkout (it names no file).</summary>
    public string RunCommand =>
        RerunCommand.For(Engines.Find(Stream.Engine)!, Stream.Scenario, Seed, Stream.Strategy, Stream.Bound, Stream.Defects, Stream.Profile);
}
