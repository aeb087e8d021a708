using Google.Protobuf;
using Grpc.Core;
using Sim.Stack.Gateway;
using Sim.Stack.Host;

namespace Sim.Scenarios.Gateway;

/// <summary>
/// A process of party 10001 whose certificate expires early in the run, calling 9999's job service through 9999's
/// gateway once a second — a call the permission allows. Both edges of the certificate's validity: while it is valid
/// the call is within the rules; once it expired and every TLS session made before has lived out its lifetime (and
/// any clock skew is healed), the call must never reach a gateway at all.
/// </summary>
public sealed class ExpiredPeer
{
    private readonly IHost host;
    private int next;

    private ExpiredPeer(IHost host) => this.host = host;

    /// <param name="validUntil">Virtual time its certificate expires.</param>
    /// <param name="refusedFrom">From this virtual time on every call must fail before any gateway sees it.</param>
    public static ExpiredPeer Start(IHost host, Live me, Live victim, TimeSpan validUntil, TimeSpan refusedFrom, TimeSpan until)
    {
        var peer = new ExpiredPeer(host);
        var client = new GatewayClient(host, victim.DnsName, GatewayTopology.GatewayPort, me.TlsTo(victim), "10001");
        host.Spawn("expired-peer", async lifetime =>
        {
            while (host.Clock.Elapsed < until)
            {
                await host.Clock.Delay(TimeSpan.FromSeconds(1), lifetime);
                var now = host.Clock.Elapsed;
                var expect = now < validUntil - TimeSpan.FromSeconds(1) ? ProbeExpectation.LetThrough : now >= refusedFrom ? ProbeExpectation.NotServed : null;
                if (expect is not null)
                {
                    await peer.CallAsync(client, victim.Name, now < validUntil ? "certificate-valid" : "certificate-expired", expect, lifetime);
                }
            }
        });
        return peer;
    }

    private async Task CallAsync(GatewayClient client, string gateway, string probe, ProbeExpectation expect, CancellationToken lifetime)
    {
        var id = $"{host.Name}-{++next}";
        host.Log.Event(new ProbeSent(id, probe, gateway, expect));
        try
        {
            await client.CallAsync("9999", RouteTables.Fateflow, id, ByteString.CopyFromUtf8("{\"job\":\"late\"}"), TimeSpan.FromSeconds(2), lifetime);
            host.Log.Event(new ProbeDone(id, StatusCode.OK, ""));
        }
        catch (RpcException e)
        {
            host.Log.Event(new ProbeDone(id, e.StatusCode, e.Status.Detail));
        }
    }
}
