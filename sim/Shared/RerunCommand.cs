using Sim.Engine;

namespace Sim.Shared;

/// <summary>
/// The command that runs one unit again from its seed, on any checkout: a loop-engine run (`sim run`), or a
/// one-iteration Coyote exploration whose seed is Coyote's (`sim explore --iterations 1`), which is the same iteration.
/// </summary>
public static class RerunCommand
{
    public static string For(IEngine engine, string scenario, ulong seed, string strategy, uint? bound, IReadOnlyList<string> defects, string? profile, bool buggify = true)
    {
        var planted = defects.Count > 0 ? $" --defect {string.Join(",", defects)}" : "";
        var faults = (profile is { } p ? $" --faults {p}" : "") + (buggify ? "" : " --buggify off");
        return engine is LoopEngine
            ? $"dotnet run --project sim -- run {scenario} --seed {seed} --strategy {strategy}{planted}{faults}"
            : $"dotnet run --project sim -- explore {scenario} --engine {engine.Name} --strategy {strategy}{(bound is { } b ? $" --strategy-bound {b}" : "")} --iterations 1 --seed {seed}{planted}{faults}";
    }

    /// <summary>The same for a run config.</summary>
    public static string For(IEngine engine, RunConfig config, uint? bound) =>
        For(engine, config.Scenario, config.Seed, config.Strategy, bound, [.. config.Defects.Names.Order(StringComparer.Ordinal)], config.Profile?.Name, config.Buggify);
}
