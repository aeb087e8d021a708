using Sim.Stack.Heartbeat;
using Sim.Stack.Host;
using Sim.Worlds;

namespace Sim.Scenarios.Heartbeat;

/// <summary>
/// N processes on N machines gossiping gRPC heartbeats over TLS, one per virtual second, round-robin.
/// The world's own smoke test and the workload of the time-compression figure. Invariant: once the
/// network heals, every node hears from its peers again.
/// </summary>
public sealed class HeartbeatScenario(int nodes = 5, TimeSpan? horizon = null) : Scenario
{
    private const int Port = 9000;

    public override string Name => "heartbeat";

    public override string Description => $"{nodes} nodes exchanging gRPC heartbeats over TLS once a virtual second";

    /// <summary>The current incarnation's node of each process, of the last build (for measurements).</summary>
    public Dictionary<string, HeartbeatNode> Nodes { get; } = new(StringComparer.Ordinal);

    public override void Build(ScenarioContext context)
    {
        context.Horizon = horizon ?? TimeSpan.FromSeconds(60);
        context.Faults(FaultProfile.None);
        Nodes.Clear();
        var ca = context.Authority("heartbeat-ca");
        var trust = ca.Trust();
        var names = Enumerable.Range(0, nodes).Select(i => $"node{i}.hb").ToList();
        for (var i = 0; i < nodes; i++)
        {
            var name = names[i];
            var address = $"10.1.{i / 200}.{(i % 200) + 1}";
            var machine = context.Machine($"m-node{i}", $"site-{i % 3}", address);
            context.Name(name, address);
            var cert = ca.Issue(name, [name], World.Epoch - TimeSpan.FromDays(1), World.Epoch + TimeSpan.FromDays(365));
            var peers = names.Where(n => n != name).ToList();
            var options = new HeartbeatOptions(Port, peers, TimeSpan.FromSeconds(1), TimeSpan.FromMilliseconds(500),
                new TlsServerOptions(() => cert), peer => new TlsClientOptions(peer, trust));
            context.Process($"node{i}", machine, host =>
            {
                Nodes[host.Name] = HeartbeatNode.Start(host, options);
                return Task.CompletedTask;
            });
        }

        context.Eventually("every-node-hears-its-peers", () =>
        {
            var deaf = Nodes.Where(n => n.Value.Received == 0).Select(n => n.Key).Order(StringComparer.Ordinal).ToList();
            return deaf.Count == 0 ? null : $"{string.Join(", ", deaf)} heard no heartbeat since their last start";
        });
    }
}
