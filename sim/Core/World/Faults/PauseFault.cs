namespace Sim.Worlds;

public abstract partial record FaultAction
{
    /// <summary>Freezes a process (a GC or VM stall): its code runs no further until it resumes. Undone by <see cref="Resume"/>.</summary>
    public sealed record Pause(string Process) : FaultAction
    {
        public override string Subject => Process;

        protected override string Verb => "pause";

        public override FaultAction? Apply(World world)
        {
            var process = world.Process(Process);
            if (!process.IsUp || process.Paused)
            {
                return null;
            }

            world.Pause(process);
            return new Resume(Process) { Incarnation = process.Incarnation };
        }
    }

    /// <summary>Lets a paused process run again.</summary>
    public sealed record Resume(string Process) : FaultAction
    {
        /// <summary>Resume only this incarnation (an undo must not resume a later incarnation someone else paused).</summary>
        public int? Incarnation { get; init; }

        public override string Subject => Process;

        protected override string Verb => "resume";

        public override bool Applies(World world) =>
            world.Process(Process) is { Paused: true } p && (Incarnation is null || p.Incarnation == Incarnation);

        public override FaultAction? Apply(World world)
        {
            world.Resume(world.Process(Process));
            return null;
        }
    }
}

/// <summary>Pauses: a killable process freezes for a while (a GC pause, a VM migration), then runs on.</summary>
public sealed record PauseFault() : LastingFaultKind(DurationRange.Seconds(0.1, 3))
{
    public override string Name => "pause";

    public override string Description => "freezes a killable process (a GC or VM stall) for lasting, then resumes it";

    public override FaultAction? Draw(World world, Rng rng) =>
        world.PickProcess(rng, p => p.IsUp && p.Killable && !p.Paused) is { } victim ? new FaultAction.Pause(victim.Name) { Lasts = Lasting.Draw(rng) } : null;

    public override IEnumerable<FaultAction> Heal(World world) =>
        world.Processes.Where(p => p.IsUp && p.Paused).OrderBy(p => p.Name, StringComparer.Ordinal).Select(p => new FaultAction.Resume(p.Name)).ToList();

    public override IFaultKind Swarm(Rng rng) => this with
    {
        PerMinute = SwarmRate(rng, 1, 8),
        Lasting = DurationRange.Swarm(rng, TimeSpan.FromSeconds(0.05), TimeSpan.FromSeconds(0.5), TimeSpan.FromSeconds(3)),
    };
}
