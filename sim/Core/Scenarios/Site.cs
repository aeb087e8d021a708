using Sim.Worlds;

namespace Sim.Scenarios;

/// <summary>
/// A site (a party, a data centre): its own certificate authority and its own address block. Services and
/// clients placed on it get addresses <c>10.N.x.y</c> (N the site's number, in order of first use) and
/// certificates issued by its authority, which every site trusts.
/// </summary>
public sealed class Site
{
    private readonly World world;
    private int nextHost;

    internal Site(World world, string name, int number, CertificateAuthority authority)
    {
        if (number > 255)
        {
            throw new ArgumentException($"site '{name}' would be site number {number}: at most 255 sites fit the 10.N.0.0/16 blocks");
        }

        this.world = world;
        Name = name;
        Number = number;
        Authority = authority;
    }

    public string Name { get; }

    /// <summary>The site's number: its addresses are 10.<see cref="Number"/>.x.y.</summary>
    public int Number { get; }

    /// <summary>Issues the certificates of the site's services and clients.</summary>
    public CertificateAuthority Authority { get; }

    /// <summary>The site's next free address (skipping any a machine was given by hand).</summary>
    public string NextAddress()
    {
        while (true)
        {
            var n = nextHost++;
            if (n >= 250 * 256)
            {
                throw new InvalidOperationException($"site '{Name}' has no address left");
            }

            var address = $"10.{Number}.{n / 250}.{(n % 250) + 1}";
            if (!world.Network.IsAssigned(address))
            {
                return address;
            }
        }
    }

    public override string ToString() => Name;
}
