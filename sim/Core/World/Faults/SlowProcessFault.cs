namespace Sim.Worlds;

public abstract partial record FaultAction
{
    /// <summary>
    /// Makes a process slow for a while (a starved CPU, a noisy neighbour, swapping): every wake-up the world
    /// gives it — a timer it sleeps on, a frame or a connection event it waits for — reaches it <paramref name="By"/>
    /// late. Ends by itself after <paramref name="For"/>.
    /// </summary>
    public sealed record SlowDown(string Process, TimeSpan By, TimeSpan For) : FaultAction
    {
        public override string Subject => Process;

        protected override string Verb => "slow";

        protected override string Arguments => $"by {Seconds(By)} for {Seconds(For)}";

        public override FaultAction? Apply(World world)
        {
            var process = world.Process(Process);
            process.SlowBy = By;
            process.SlowUntil = world.Now + For;
            return null;
        }
    }

    /// <summary>Ends a process's slowness now.</summary>
    public sealed record SpeedUp(string Process) : FaultAction
    {
        public override string Subject => Process;

        protected override string Verb => "speed-up";

        public override FaultAction? Apply(World world)
        {
            world.Process(Process).SlowUntil = TimeSpan.Zero;
            return null;
        }
    }
}

/// <summary>Slow processes: for a while every continuation of one killable process runs late.</summary>
public sealed record SlowProcessFault() : LastingFaultKind(DurationRange.Seconds(1, 5))
{
    public override string Name => "slow";

    public override string Description => "makes a killable process slow for lasting: every wake-up (timer, frame, connection event) reaches it delay late";

    /// <summary>How late each wake-up reaches the slow process.</summary>
    public DurationRange Delay { get; init; } = DurationRange.Seconds(0.02, 0.2);

    protected override string Knobs => $"delay {Delay} {base.Knobs}";

    public override void Validate()
    {
        base.Validate();
        Delay.Validate(Name, nameof(Delay));
    }

    public override FaultAction? Draw(World world, Rng rng) =>
        world.PickProcess(rng, p => p.IsUp && p.Killable) is { } victim ? new FaultAction.SlowDown(victim.Name, Delay.Draw(rng), Lasting.Draw(rng)) : null;

    public override IEnumerable<FaultAction> Heal(World world) =>
        world.Processes.Where(p => p.SlowUntil > world.Now).OrderBy(p => p.Name, StringComparer.Ordinal).Select(p => new FaultAction.SpeedUp(p.Name)).ToList();

    public override IFaultKind Swarm(Rng rng) => this with
    {
        PerMinute = SwarmRate(rng, 1, 8),
        Delay = DurationRange.Swarm(rng, TimeSpan.FromMilliseconds(5), TimeSpan.FromMilliseconds(100), TimeSpan.FromMilliseconds(400)),
        Lasting = DurationRange.Swarm(rng, TimeSpan.FromSeconds(0.5), TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(5)),
    };
}
