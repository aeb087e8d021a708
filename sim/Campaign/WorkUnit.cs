namespace Sim.Campaign;

/// <summary>One work unit: one loop-engine run, or one Coyote iteration with the unit's seed as Coyote's seed.</summary>
/// <param name="Index">The unit's index in the campaign's enumeration (the same in every shard).</param>
/// <param name="Stream">What runs.</param>
/// <param name="Seed">The run's seed.</param>
public sealed record WorkUnit(long Index, UnitStream Stream, ulong Seed)
{
    /// <summary>The command that runs this unit again on its own (for crashes and hangs, which leave no trace).</summary>
    public string RunCommand
    {
        get
        {
            var s = Stream;
            var defects = s.Planted ? $" --defect {string.Join(",", s.Defects)}" : "";
            var faults = s.Profile is { } p ? $" --faults {p}" : "";
            return s.Engine == "loop"
                ? $"dotnet run --project sim -- run {s.Scenario} --seed {Seed} --strategy {s.Strategy}{defects}{faults}"
                : $"dotnet run --project sim -- explore {s.Scenario} --engine coyote --strategy {s.Strategy}{(s.Bound is { } b ? $" --strategy-bound {b}" : "")} --iterations 1 --seed {Seed}{defects}{faults}";
        }
    }
}
