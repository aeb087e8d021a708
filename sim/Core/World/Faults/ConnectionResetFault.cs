namespace Sim.Worlds;

public abstract partial record FaultAction
{
    /// <summary>Resets one established connection: both ends see it broken on their next receive or send.</summary>
    public sealed record ResetConnection(long Connection) : FaultAction
    {
        public override string Subject => $"conn={Connection}";

        protected override string Verb => "reset";

        public override FaultAction? Apply(World world)
        {
            world.Network.ResetConnection(Connection, Origin == FaultOrigin.Scripted ? "connection reset (timeline)" : "connection reset by fault injector");
            return null;
        }
    }
}

/// <summary>Connection resets: one established connection breaks (an RST from a middlebox, a NAT timeout).</summary>
public sealed record ConnectionResetFault : FaultKind
{
    public override string Name => "reset";

    public override string Description => "resets one established connection: both ends see it broken";

    public override FaultAction? Draw(World world, Rng rng)
    {
        var ids = world.Network.ConnectionIds;
        return ids.Count == 0 ? null : new FaultAction.ResetConnection(rng.Pick(ids));
    }

    public override IFaultKind Swarm(Rng rng) => this with { PerMinute = SwarmRate(rng, 1, 8) };
}
