namespace Sim.Worlds;

public abstract partial record FaultAction
{
    /// <summary>Issues a fresh certificate into a named slot: new handshakes get it, established sessions keep the old one.</summary>
    public sealed record RotateCertificate(string Slot) : FaultAction
    {
        public override string Subject => Slot;

        protected override string Verb => "rotate-certificate";

        public override FaultAction? Apply(World world)
        {
            (world.Certificates.TryGetValue(Slot, out var slot) ? slot : throw new ArgumentException($"no certificate slot named '{Slot}'")).Rotate();
            return null;
        }
    }
}

/// <summary>Certificate rotation: a server's certificate is reissued while traffic flows.</summary>
public sealed record CertificateRotationFault : FaultKind
{
    public override string Name => "rotate-certificate";

    public override string Description => "reissues one rotatable server certificate (new serial, validity from now): new sessions get it";

    public override FaultAction? Draw(World world, Rng rng)
    {
        var slots = world.Certificates.Keys.Order(StringComparer.Ordinal).ToList();
        return slots.Count == 0 ? null : new FaultAction.RotateCertificate(rng.Pick(slots));
    }

    public override IFaultKind Swarm(Rng rng) => this with { PerMinute = SwarmRate(rng, 0.5, 4) };
}
