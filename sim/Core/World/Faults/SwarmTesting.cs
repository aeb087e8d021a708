namespace Sim.Worlds;

/// <summary>
/// Swarm testing (Groce et al.; TigerBeetle's <c>options_swarm</c>): instead of one fixed mix of faults, each run
/// draws its own — every registered kind is on with probability 1/2 and, when on, draws its own rate and knobs;
/// the frame faults and latency are drawn too. Each draw comes from the run's <c>swarm/…</c> streams (one per kind,
/// so registering a kind leaves the others' draws alone), so the same seed gives the same profile and a finding
/// replays from its seed and the profile's name. Under the Coyote engine the draws are Coyote choices, so a trace
/// replays them.
/// </summary>
public static class SwarmTesting
{
    /// <summary>The concrete profile named <paramref name="name"/> that <paramref name="world"/>'s seed draws over <paramref name="kinds"/>.</summary>
    public static FaultProfile Draw(World world, string name, IReadOnlyList<IFaultKind> kinds)
    {
        var faults = new List<IFaultKind>();
        foreach (var kind in kinds)
        {
            var rng = world.StreamFor("swarm/" + kind.Name);
            if (rng.Next(2) == 0)
            {
                faults.Add(kind.Swarm(rng));
            }
        }

        return new FaultProfile { Name = name, Network = DrawNetwork(world.StreamFor("swarm/network")), Faults = faults };
    }

    private static NetworkOptions DrawNetwork(Rng rng)
    {
        var baseDelay = rng.Between(TimeSpan.FromMilliseconds(0.2), TimeSpan.FromMilliseconds(2));
        var mean = rng.Between(TimeSpan.FromMilliseconds(0.5), TimeSpan.FromMilliseconds(5));
        return new NetworkOptions
        {
            Latency = new LatencyDistribution(baseDelay, mean, TimeSpan.FromMilliseconds(50)),
            DropProbability = Maybe(rng, 0.05),
            DuplicateProbability = Maybe(rng, 0.05),
            ReorderProbability = Maybe(rng, 0.1),
        };
    }

    /// <summary>Off with probability 1/2, else uniform in [0, <paramref name="max"/>], to four places.</summary>
    private static double Maybe(Rng rng, double max) => rng.Next(2) == 0 ? 0 : Math.Round(rng.NextDouble() * max, 4);
}
