using Grpc.Core;
using Sim.Stack.Fleet;
using Sim.Stack.Fleet.Contracts;
using Sim.Stack.Host;
using Sim.Stack.Rpc;

namespace Sim.Scenarios.Fleet;

/// <summary>A hostile node was served a call it should have been refused (the security checker fails the run on it).</summary>
public sealed record HostileServed(string What) : SimEvent
{
    public override string Kind => "fleet.hostile-served";

    public override string Details => What;
}

/// <summary>
/// A client that must never be served: every 2 s it tries to register (and, if that is accepted, to pull work)
/// with credentials that must fail — an unknown key, a forged signature, a replayed timestamp — or by dialing
/// the coordinator's address instead of its name.
/// </summary>
public sealed class HostileProbe
{
    private readonly IHost host;

    private HostileProbe(IHost host) => this.host = host;

    public int Rejected { get; private set; }

    public int Accepted { get; private set; }

    public string LastError { get; private set; } = "-";

    /// <summary>Starts probing <paramref name="coordinator"/>, by name or (<paramref name="byAddress"/>) by its address.</summary>
    public static HostileProbe Start(IHost host, Live coordinator, Func<DateTime, Metadata> auth, bool byAddress = false)
    {
        var probe = new HostileProbe(host);
        var tls = byAddress ? coordinator.ClientTls with { ServerName = coordinator.Address } : coordinator.ClientTls;
        var fleet = new Sim.Stack.Fleet.Contracts.Fleet.FleetClient(new RpcChannel(host, tls.ServerName, coordinator.Port, tls));
        host.Spawn("probe", lifetime => probe.RunAsync(fleet, auth, lifetime));
        return probe;
    }

    /// <summary>Presents <paramref name="victim"/>'s public key with a signature made by <paramref name="forger"/>.</summary>
    public static Metadata Forge(NodeCredentials forger, NodeCredentials victim, DateTime now)
    {
        var forged = forger.Sign(now);
        forged.Remove(forged.Get(NodeCredentials.PublicKeyHeader)!);
        forged.Add(NodeCredentials.PublicKeyHeader, victim.PublicKey);
        return forged;
    }

    private async Task RunAsync(Sim.Stack.Fleet.Contracts.Fleet.FleetClient fleet, Func<DateTime, Metadata> auth, CancellationToken lifetime)
    {
        while (!lifetime.IsCancellationRequested)
        {
            await host.Clock.Delay(TimeSpan.FromSeconds(2), lifetime);
            try
            {
                var created = await fleet.CreateNodeAsync(new CreateNodeRequest { PingInterval = 3 }, auth(host.Clock.UtcNow), host.Clock.UtcNow.AddSeconds(1));
                Accepted++;
                host.Log.Event(new HostileServed($"CreateNode gave node {created.Node.NodeId}"));
                var pulled = await fleet.PullTaskInsAsync(new PullTaskInsRequest { Node = created.Node }, auth(host.Clock.UtcNow), host.Clock.UtcNow.AddSeconds(1));
                host.Log.Event(new HostileServed($"PullTaskIns gave {pulled.TaskInsList.Count} task(s)"));
            }
            catch (RpcException e)
            {
                Rejected++;
                LastError = $"{e.StatusCode}: {e.Status.Detail}";
            }
        }
    }

    public override string ToString() => $"{Rejected} call(s) rejected, {Accepted} accepted; last error: {LastError}";
}
