namespace Sim.Worlds;

public abstract partial record FaultAction
{
    /// <summary>Fails every TLS session the process holds, as session expiry does: each peer must handshake again.</summary>
    public sealed record ExpireTls(string Process) : FaultAction
    {
        public override string Subject => Process;

        protected override string Verb => "tls-expire";

        public override FaultAction? Apply(World world)
        {
            world.Network.ExpireSessions(world.Process(Process));
            return null;
        }
    }
}

/// <summary>TLS session expiry: every session of one process fails at once and must be renegotiated.</summary>
public sealed record TlsExpiryFault : FaultKind
{
    public override string Name => "tls-expiry";

    public override string Description => "fails every TLS session of one running process (session expiry): its peers must handshake again";

    public override FaultAction? Draw(World world, Rng rng) =>
        world.PickProcess(rng, p => p.IsUp) is { } victim ? new FaultAction.ExpireTls(victim.Name) : null;

    public override IFaultKind Swarm(Rng rng) => this with { PerMinute = SwarmRate(rng, 1, 8) };
}
