using Sim.Stack.Host;

namespace Sim.Worlds;

/// <summary>
/// A server's certificate that can be rotated while the run goes: servers read <see cref="Current"/> at
/// every handshake, so established sessions keep the old certificate and new ones get the new.
/// </summary>
public sealed class CertificateSlot(World world, string name, CertificateAuthority authority, IReadOnlyList<string> dnsNames, TimeSpan validity)
{
    public string Name { get; } = name;

    public Certificate Current { get; private set; } = authority.Issue(name, dnsNames, World.Epoch + world.Now - TimeSpan.FromMinutes(5), World.Epoch + world.Now + validity);

    /// <summary>Issues a fresh certificate (new serial, validity from now) from <paramref name="issuer"/> (default: the same authority).</summary>
    public void Rotate(CertificateAuthority? issuer = null)
    {
        Current = (issuer ?? authority).Issue(Name, dnsNames, World.Epoch + world.Now - TimeSpan.FromMinutes(5), World.Epoch + world.Now + validity);
        world.Emit(new CertificateRotated(Current.Serial, Current.Issuer, Current.NotAfter), Name);
    }
}
