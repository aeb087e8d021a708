using Sim.Worlds;

namespace Sim.Engine;

/// <summary>Random walk: every runnable continuation is equally likely to run next.</summary>
public sealed class RandomStrategy(Rng rng) : ISchedulingStrategy
{
    public string Name => "random";

    public int Pick(IReadOnlyList<WorkItem> runnable, long step) => rng.Next(runnable.Count);
}
