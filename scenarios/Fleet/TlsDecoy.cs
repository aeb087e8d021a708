using Sim.Stack.Host;
using Sim.Stack.Rpc;
using Sim.Worlds;

namespace Sim.Scenarios.Fleet;

/// <summary>
/// Servers whose certificates a client must refuse, on one machine: one presents a certificate that expired a day
/// before the run, the other one valid only from a day after it (both for the machine's own name, from its site's
/// authority). They serve nothing: a client that got past the handshake would be told the method is unimplemented.
/// </summary>
public sealed class TlsDecoy
{
    public const int ExpiredPort = 9093;
    public const int NotYetValidPort = 9094;

    private TlsDecoy()
    {
    }

    public static TlsDecoy Start(IHost host, Live me)
    {
        var authority = me.Site.Authority;
        var expired = authority.Issue(me.Name, [me.DnsName], World.Epoch.AddDays(-2), World.Epoch.AddDays(-1));
        var early = authority.Issue(me.Name, [me.DnsName], World.Epoch.AddDays(1), World.Epoch.AddDays(30));
        new RpcServer(host, me.Address, ExpiredPort, new TlsServerOptions(() => expired)).Start();
        new RpcServer(host, me.Address, NotYetValidPort, new TlsServerOptions(() => early)).Start();
        return new TlsDecoy();
    }
}
