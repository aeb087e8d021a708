namespace Sim.Worlds;

public abstract partial record FaultAction
{
    /// <summary>Holds every frame from one machine to another (and back unless one-way) for <paramref name="For"/>, then releases them in order.</summary>
    public sealed record Clog(string From, string To, TimeSpan For, bool OneWay = false) : FaultAction
    {
        public override string Subject => $"{From}{(OneWay ? "->" : "<->")}{To}";

        protected override string Verb => "clog";

        protected override string Arguments => $"for {Seconds(For)}";

        public override FaultAction? Apply(World world)
        {
            var (from, to) = (world.Machine(From), world.Machine(To));
            world.Network.Clog(from, to, world.Now + For);
            if (!OneWay)
            {
                world.Network.Clog(to, from, world.Now + For);
            }

            return null;
        }
    }
}

/// <summary>Clogs: a link holds its frames for a while (a stalled switch port, a full queue), then delivers them in order.</summary>
public sealed record ClogFault() : LastingFaultKind(DurationRange.Seconds(0.1, 3))
{
    public override string Name => OneWay ? "clog-one-way" : "clog";

    public override string Description => OneWay
        ? "holds the frames from one machine to another (one direction only) for lasting, then releases them in order"
        : "holds the frames between two machines (both directions) for lasting, then releases them in order";

    /// <summary>Clog one direction only (the other keeps flowing).</summary>
    public bool OneWay { get; init; }

    public override FaultAction? Draw(World world, Rng rng) =>
        world.PickTwoMachines(rng) is var (a, b) ? new FaultAction.Clog(a.Name, b.Name, Lasting.Draw(rng), OneWay) : null;

    public override IEnumerable<FaultAction> Heal(World world) => world.Network.ClogCount > 0 ? [new FaultAction.HealNetwork()] : [];

    public override IFaultKind Swarm(Rng rng) => this with
    {
        PerMinute = SwarmRate(rng, 1, 10),
        Lasting = DurationRange.Swarm(rng, TimeSpan.FromSeconds(0.05), TimeSpan.FromSeconds(0.5), TimeSpan.FromSeconds(3)),
    };
}
