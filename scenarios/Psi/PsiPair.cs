using Sim.Stack.Cluster;
using Sim.Stack.Host;
using Sim.Stack.Psi;
using Sim.Stack.Psi.Contracts;

namespace Sim.Scenarios.Psi;

/// <summary>
/// One side of a PSI run straight between two processes, without clusters: bind the link, run ECDH-PSI, keep the
/// result or the failure. The tests' direct PSI and the benchmark (loop engine against the thread pool) use it.
/// </summary>
public sealed class PsiPair
{
    public const int Port = 9100;

    public IReadOnlyList<string>? Result { get; private set; }

    public ActorFailure? Error { get; private set; }

    /// <summary>Binds <paramref name="address"/>, then runs <paramref name="party"/>'s side against <paramref name="peer"/> at <paramref name="peerHost"/>.</summary>
    public async Task RunAsync(IHost host, string address, TlsServerOptions? serverTls, string party, string peer, string peerHost, TlsClientOptions dialTls, PsiProtocol protocol, IReadOnlyList<string> items)
    {
        var task = new PsiTask
        {
            Session = "pair",
            Attempt = 1,
            Party = party,
            Peer = peer,
            PeerHost = peerHost,
            PeerPort = Port,
            AdvertisedHost = address,
            LinkPort = Port,
            Version = protocol.Version,
            Curve = protocol.Curve,
            Receivers = protocol.Receivers,
            BatchSize = protocol.BatchSize,
        };
        var link = LinkOptions.Upstream.Scaled(20);
        using var endpoint = LinkEndpoint.Bind(host, task, address, serverTls!);
        try
        {
            Result = await new EcdhPsi(host, task, endpoint, new LinkClient(host, party, peer, peerHost, Port, link, dialTls), link, CancellationToken.None).RunAsync(items);
        }
        catch (ActorFailure e)
        {
            Error = e;
        }
    }

    /// <summary>Two services, alice and bob on two sites with mTLS, each running its side of one PSI.</summary>
    public static (PsiPair Alice, PsiPair Bob) Place(ScenarioContext context, PsiProtocol aliceProtocol, PsiProtocol bobProtocol, IReadOnlyList<string> aliceItems, IReadOnlyList<string> bobItems)
    {
        var (alice, bob) = (new PsiPair(), new PsiPair());
        Live<Task>? a = null;
        Live<Task>? b = null;
        var mutual = new ServiceOptions { MutualTls = true };
        a = context.Service("alice", "site-a", Port, (host, me) => alice.RunAsync(host, me.Address, me.ServerTls, "alice", "bob", b!.Address, me.TlsTo(b), aliceProtocol, aliceItems), mutual);
        b = context.Service("bob", "site-b", Port, (host, me) => bob.RunAsync(host, me.Address, me.ServerTls, "bob", "alice", a!.Address, me.TlsTo(a), bobProtocol, bobItems), mutual);
        return (alice, bob);
    }
}
