namespace Sim.Worlds;

public abstract partial record FaultAction
{
    /// <summary>Moves a DNS name to another address: new dials go there, established connections are untouched. Undone by moving it back.</summary>
    public sealed record MoveName(string Name, string Address) : FaultAction
    {
        public override string Subject => Name;

        protected override string Verb => "dns-change";

        protected override string Arguments => $"to {Address}";

        public override FaultAction? Apply(World world)
        {
            var previous = world.Network.MoveName(Name, Address);
            return previous == Address ? null : new MoveName(Name, previous);
        }
    }
}

/// <summary>DNS changes: a name points at another machine for a while (a failover record, a stale or mistyped entry).</summary>
public sealed record DnsChangeFault() : LastingFaultKind(DurationRange.Seconds(1, 8))
{
    public override string Name => "dns-change";

    public override string Description => "moves one DNS name to another machine's address for lasting: new dials reach the wrong machine (refused, or a TLS name mismatch); open connections are untouched";

    public override FaultAction? Draw(World world, Rng rng)
    {
        var names = world.Network.Names.Keys.Order(StringComparer.Ordinal).ToList();
        if (names.Count == 0)
        {
            return null;
        }

        var name = rng.Pick(names);
        var current = world.Network.Names[name];
        var elsewhere = world.OrderedMachines().Where(m => !m.Owns(current)).Select(m => m.Addresses[0]).ToList();
        return elsewhere.Count == 0 ? null : new FaultAction.MoveName(name, rng.Pick(elsewhere)) { Lasts = Lasting.Draw(rng) };
    }

    public override IEnumerable<FaultAction> Heal(World world) =>
        world.Network.MovedNames.OrderBy(n => n.Key, StringComparer.Ordinal).Select(n => new FaultAction.MoveName(n.Key, n.Value)).ToList();

    public override IFaultKind Swarm(Rng rng) => this with
    {
        PerMinute = SwarmRate(rng, 0.5, 4),
        Lasting = DurationRange.Swarm(rng, TimeSpan.FromSeconds(0.5), TimeSpan.FromSeconds(3), TimeSpan.FromSeconds(8)),
    };
}
