using Sim.Worlds;

namespace Sim.Engine;

/// <summary>
/// PCT (Burckhardt et al., "A Randomized Scheduler with Probabilistic Guarantees of Finding Bugs"):
/// each owner (a process incarnation, or the world) gets a random priority when first seen; the
/// highest-priority owner with a runnable continuation runs (oldest continuation first). At
/// <c>depth − 1</c> change points drawn uniformly over the expected run length, the owner that just ran
/// drops to the lowest priority. Bugs of depth d are found with probability at least 1/(n·k^(d−1)).
/// </summary>
public sealed class PctStrategy : ISchedulingStrategy
{
    private readonly Rng rng;
    private readonly Dictionary<ExecutionContextOwner, long> priorities = [];
    private readonly HashSet<long> changePoints = [];
    private long lowest = -1;

    /// <param name="rng">The scheduling stream.</param>
    /// <param name="depth">The bug depth d: d − 1 priority change points.</param>
    /// <param name="expectedSteps">The run length the change points are spread over.</param>
    public PctStrategy(Rng rng, int depth, long expectedSteps)
    {
        if (depth < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(depth), depth, "PCT depth must be at least 1");
        }

        this.rng = rng;
        while (changePoints.Count < Math.Min(depth - 1, expectedSteps))
        {
            changePoints.Add((long)(rng.NextDouble() * expectedSteps));
        }
    }

    public string Name => "pct";

    public int Pick(IReadOnlyList<WorkItem> runnable, long step)
    {
        var best = 0;
        var bestPriority = long.MinValue;
        for (var i = 0; i < runnable.Count; i++)
        {
            var priority = PriorityOf(runnable[i].Owner);
            if (priority > bestPriority)
            {
                best = i;
                bestPriority = priority;
            }
        }

        if (changePoints.Contains(step))
        {
            priorities[runnable[best].Owner] = lowest--;
        }

        return best;
    }

    private long PriorityOf(ExecutionContextOwner owner)
    {
        if (!priorities.TryGetValue(owner, out var priority))
        {
            // Random distinct priorities above every demoted one.
            priority = (long)(rng.NextUInt64() >> 2);
            priorities[owner] = priority;
        }

        return priority;
    }
}
