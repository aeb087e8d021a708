namespace Sim.Worlds;

public abstract partial record FaultAction
{
    /// <summary>Stalls a process's disk for <paramref name="For"/>: a flush reaching it meanwhile completes only after the stall (a flush-latency spike).</summary>
    public sealed record StallDisk(string Process, TimeSpan For) : FaultAction
    {
        public override string Subject => Process;

        protected override string Verb => "disk-stall";

        protected override string Arguments => $"for {Seconds(For)}";

        public override FaultAction? Apply(World world)
        {
            var process = world.Process(Process);
            if (!process.Machine.Disks.TryGetValue(Process, out var disk))
            {
                process.Machine.Disks[Process] = disk = new DiskStore();
            }

            disk.Stall(world.Runtime, world.Now + For);
            return null;
        }
    }

    /// <summary>Ends a disk stall now: waiting flushes go on.</summary>
    public sealed record UnstallDisk(string Process) : FaultAction
    {
        public override string Subject => Process;

        protected override string Verb => "disk-unstall";

        public override FaultAction? Apply(World world)
        {
            world.Process(Process).Machine.Disks[Process].EndStall();
            return null;
        }
    }
}

/// <summary>Disk stalls: for a while a process's flushes take far longer than usual (a device hiccup, an fsync behind a full write cache).</summary>
public sealed record DiskStallFault() : LastingFaultKind(DurationRange.Seconds(0.1, 2))
{
    public override string Name => "disk-stall";

    public override string Description => "stalls the disk of a killable process that writes to it for lasting: its flushes complete only once the stall ends";

    public override FaultAction? Draw(World world, Rng rng) =>
        world.PickProcess(rng, p => p.IsUp && p.Killable && p.Machine.Disks.TryGetValue(p.Name, out var disk) && disk.Used) is { } victim
            ? new FaultAction.StallDisk(victim.Name, Lasting.Draw(rng))
            : null;

    public override IEnumerable<FaultAction> Heal(World world) =>
        world.Processes.Where(p => p.Machine.Disks.TryGetValue(p.Name, out var disk) && disk.StalledUntil is not null)
            .OrderBy(p => p.Name, StringComparer.Ordinal).Select(p => new FaultAction.UnstallDisk(p.Name)).ToList();

    public override IFaultKind Swarm(Rng rng) => this with
    {
        PerMinute = SwarmRate(rng, 1, 10),
        Lasting = DurationRange.Swarm(rng, TimeSpan.FromSeconds(0.05), TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(4)),
    };
}
