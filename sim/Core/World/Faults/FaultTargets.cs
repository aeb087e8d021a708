namespace Sim.Worlds;

/// <summary>How fault kinds pick their targets: always over a name-ordered list, so a seed picks the same ones.</summary>
public static class FaultTargets
{
    /// <summary>A process passing <paramref name="filter"/>, or null if none does.</summary>
    public static SimProcess? PickProcess(this World world, Rng rng, Func<SimProcess, bool> filter)
    {
        var candidates = world.Processes.Where(filter).OrderBy(p => p.Name, StringComparer.Ordinal).ToList();
        return candidates.Count == 0 ? null : rng.Pick(candidates);
    }

    /// <summary>Every machine, by name.</summary>
    public static List<Machine> OrderedMachines(this World world) => world.Machines.OrderBy(m => m.Name, StringComparer.Ordinal).ToList();

    /// <summary>Two different machines, or null with fewer than two.</summary>
    public static (Machine A, Machine B)? PickTwoMachines(this World world, Rng rng)
    {
        var machines = world.OrderedMachines();
        if (machines.Count < 2)
        {
            return null;
        }

        var a = rng.Next(machines.Count);
        var b = (a + 1 + rng.Next(machines.Count - 1)) % machines.Count;
        return (machines[a], machines[b]);
    }

    /// <summary>A shuffled copy of <paramref name="items"/> (Fisher-Yates).</summary>
    public static List<T> Shuffle<T>(this Rng rng, IReadOnlyList<T> items)
    {
        var list = items.ToList();
        for (var i = list.Count - 1; i > 0; i--)
        {
            var j = rng.Next(i + 1);
            (list[i], list[j]) = (list[j], list[i]);
        }

        return list;
    }

    /// <summary>A start for every process that is down (killed or stopped, not merely never started), by name.</summary>
    public static IEnumerable<FaultAction> StartsOfDownProcesses(World world) =>
        world.Processes.Where(p => p.State == ProcessState.Down).OrderBy(p => p.Name, StringComparer.Ordinal)
            .Select(p => new FaultAction.Start(p.Name)).ToList();
}
