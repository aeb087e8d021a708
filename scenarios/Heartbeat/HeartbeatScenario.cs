using Sim.Stack.Heartbeat;
using Sim.Worlds;

namespace Sim.Scenarios.Heartbeat;

/// <summary>
/// N processes on N machines gossiping gRPC heartbeats over TLS, one per virtual second, round-robin.
/// The world's own smoke test and the workload of the time-compression figure.
/// Invariants — liveness: once the network heals, every node hears from its peers again.
/// </summary>
public sealed class HeartbeatScenario(int nodes = 5, TimeSpan? horizon = null) : Scenario
{
    private const int Port = 9000;

    private IReadOnlyList<Live<HeartbeatNode>> live = [];

    public override string Name => "heartbeat";

    public override string Description => $"{nodes} nodes exchanging gRPC heartbeats over TLS once a virtual second";

    /// <summary>The latest incarnation's node of each process, of the last build (for measurements).</summary>
    public IReadOnlyDictionary<string, HeartbeatNode> Nodes => live.Where(n => n.Last is not null).ToDictionary(n => n.Name, n => n.Last!, StringComparer.Ordinal);

    public override void Build(ScenarioContext context)
    {
        context.Horizon = horizon ?? TimeSpan.FromSeconds(60);
        context.Faults(FaultProfile.None);

        // node0, node1, … on sites a, b, c: each gets a machine, an address, a DNS name and a certificate.
        IReadOnlyList<Live<HeartbeatNode>> all = [];
        all = live = context.Services("node", ["site-a", "site-b", "site-c"], nodes, Port, (host, me) =>
            HeartbeatNode.Start(host, new HeartbeatOptions(Port, [.. all.Where(n => n != me).Select(n => n.DnsName)],
                TimeSpan.FromSeconds(1), TimeSpan.FromMilliseconds(500), me.ServerTls, me.TlsTo)));

        context.Eventually("every-node-hears-its-peers", () =>
        {
            var deaf = all.Where(n => n.Last is { Received: 0 }).Select(n => n.Name).ToList();
            return deaf.Count == 0 ? null : $"{string.Join(", ", deaf)} heard no heartbeat since their last start";
        });
    }
}
