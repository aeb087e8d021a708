namespace Sim.Worlds;

public abstract partial record FaultAction
{
    /// <summary>Sets a machine's clock skew: its wall clock reads true (virtual) time plus <paramref name="By"/>.</summary>
    public sealed record Skew(string Machine, TimeSpan By) : FaultAction
    {
        public override string Subject => Machine;

        protected override string Verb => "skew";

        protected override string Arguments => $"by {Seconds(By)}";

        public override FaultAction? Apply(World world)
        {
            var machine = world.Machine(Machine);
            var before = machine.ClockSkew;
            world.SetClockSkew(machine, By);
            return new Skew(Machine, before);
        }
    }
}

/// <summary>Clock skew: one machine's wall clock jumps (an NTP step, a bad RTC) and stays off until the next skew or the quiet point.</summary>
public sealed record ClockSkewFault : FaultKind
{
    public override string Name => "skew";

    public override string Description => "sets one machine's clock skew uniformly in [-max-skew, +max-skew]; it holds until the next skew or the quiet point";

    /// <summary>The largest absolute skew a machine's clock is given.</summary>
    public TimeSpan MaxSkew { get; init; } = TimeSpan.FromSeconds(2);

    protected override string Knobs => $"max-skew {MaxSkew.TotalSeconds:0.###}s";

    public override void Validate()
    {
        base.Validate();
        if (MaxSkew < TimeSpan.Zero)
        {
            throw new ArgumentException($"fault kind '{Name}': {nameof(MaxSkew)} must be >= 0 (got {MaxSkew})");
        }
    }

    public override FaultAction? Draw(World world, Rng rng)
    {
        var machine = rng.Pick(world.OrderedMachines());
        var skew = TimeSpan.FromTicks((long)(((rng.NextDouble() * 2) - 1) * MaxSkew.Ticks));
        return new FaultAction.Skew(machine.Name, skew);
    }

    public override IEnumerable<FaultAction> Heal(World world) =>
        world.OrderedMachines().Where(m => m.ClockSkew != TimeSpan.Zero).Select(m => new FaultAction.Skew(m.Name, TimeSpan.Zero)).ToList();

    /// <summary>
    /// Swarm skews stay within what a synchronised clock may drift (up to 5 s a machine): protocols that bound
    /// clock drift (a signed-timestamp window) rightly fail beyond their bound, and scenarios that test that
    /// script a larger skew themselves (fleet-restart pushes a node 40 s out).
    /// </summary>
    public override IFaultKind Swarm(Rng rng) => this with
    {
        PerMinute = SwarmRate(rng, 0.5, 4),
        MaxSkew = rng.Between(TimeSpan.FromSeconds(0.1), TimeSpan.FromSeconds(5)),
    };
}
