namespace Sim.Worlds;

public abstract partial record FaultAction
{
    /// <summary>Kills a process: its memory and unflushed writes are lost, its connections reset. Undone by <see cref="Start"/>.</summary>
    public sealed record Kill(string Process) : FaultAction
    {
        public override string Subject => Process;

        protected override string Verb => "kill";

        public override FaultAction? Apply(World world)
        {
            var process = world.Process(Process);
            if (!process.IsUp)
            {
                return null;
            }

            world.Kill(process, Origin == FaultOrigin.Scripted ? "killed (timeline)" : "killed by fault injector");
            return new Start(Process);
        }
    }

    /// <summary>Starts a process that is down (a new incarnation; its durable disk kept).</summary>
    public sealed record Start(string Process) : FaultAction
    {
        public override string Subject => Process;

        protected override string Verb => "start";

        public override bool Applies(World world) => !world.Process(Process).IsUp;

        public override FaultAction? Apply(World world)
        {
            world.Start(world.Process(Process));
            return null;
        }
    }

    /// <summary>Kills then starts a process.</summary>
    public sealed record Restart(string Process) : FaultAction
    {
        public override string Subject => Process;

        protected override string Verb => "restart";

        public override FaultAction? Apply(World world)
        {
            world.Restart(world.Process(Process));
            return null;
        }
    }
}

/// <summary>Crashes: a killable process dies (memory and unflushed writes lost, connections reset) and restarts a while later.</summary>
public sealed record KillFault : FaultKind
{
    public override string Name => "kill";

    public override string Description => "kills a killable process (memory and unflushed writes lost, connections reset); it restarts after restart-after";

    /// <summary>How long a killed process stays down before it restarts.</summary>
    public DurationRange RestartAfter { get; init; } = DurationRange.Seconds(1, 5);

    protected override string Knobs => $"restart-after {RestartAfter}";

    public override void Validate()
    {
        base.Validate();
        RestartAfter.Validate(Name, nameof(RestartAfter));
    }

    public override FaultAction? Draw(World world, Rng rng) =>
        world.PickProcess(rng, p => p.IsUp && p.Killable) is { } victim ? new FaultAction.Kill(victim.Name) { Lasts = RestartAfter.Draw(rng) } : null;

    public override IEnumerable<FaultAction> Heal(World world) => FaultTargets.StartsOfDownProcesses(world);

    public override IFaultKind Swarm(Rng rng) => this with
    {
        PerMinute = SwarmRate(rng, 1, 12),
        RestartAfter = DurationRange.Swarm(rng, TimeSpan.FromSeconds(0.1), TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(4)),
    };
}
