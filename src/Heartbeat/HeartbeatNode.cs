using Grpc.Core;
using Sim.Stack.Heartbeat.Contracts;
using Sim.Stack.Host;
using Sim.Stack.Rpc;

namespace Sim.Stack.Heartbeat;

/// <summary>How a heartbeat node runs.</summary>
/// <param name="Port">The port every node serves on.</param>
/// <param name="Peers">The other nodes' names, beaten round-robin.</param>
/// <param name="Interval">Time between two beats.</param>
/// <param name="Timeout">Deadline of one beat (null: none).</param>
/// <param name="ServerTls">TLS settings of the node's server.</param>
/// <param name="ClientTls">How the node dials a peer by name.</param>
public sealed record HeartbeatOptions(int Port, IReadOnlyList<string> Peers, TimeSpan Interval, TimeSpan? Timeout, TlsServerOptions? ServerTls, Func<string, TlsClientOptions?> ClientTls);

/// <summary>
/// A node that serves heartbeats and sends one per interval to its peers in turn: the smallest gRPC
/// workload there is, used to measure the world itself.
/// </summary>
public sealed class HeartbeatNode : Contracts.Heartbeat.HeartbeatBase
{
    private readonly IHost host;

    private HeartbeatNode(IHost host)
    {
        this.host = host;
    }

    public long Received { get; private set; }

    public long Acknowledged { get; private set; }

    public static HeartbeatNode Start(IHost host, HeartbeatOptions options)
    {
        var node = new HeartbeatNode(host);
        var server = new RpcServer(host, "0.0.0.0", options.Port, options.ServerTls);
        server.AddService(Contracts.Heartbeat.BindService(node));
        server.Start();
        var clients = options.Peers
            .Select(peer => new Contracts.Heartbeat.HeartbeatClient(new RpcChannel(host, peer, options.Port, options.ClientTls(peer))))
            .ToList();
        host.Spawn("heartbeat", token => node.BeatLoopAsync(clients, options, token));
        return node;
    }

    public override Task<BeatReply> Beat(BeatRequest request, ServerCallContext context)
    {
        Received++;
        return Task.FromResult(new BeatReply { From = host.Name, BeatsSeen = Received });
    }

    private async Task BeatLoopAsync(IReadOnlyList<Contracts.Heartbeat.HeartbeatClient> peers, HeartbeatOptions options, CancellationToken lifetime)
    {
        long sequence = 0;
        while (!lifetime.IsCancellationRequested)
        {
            await host.Clock.Delay(options.Interval, lifetime);
            if (peers.Count == 0)
            {
                continue;
            }

            var peer = peers[(int)(sequence % peers.Count)];
            try
            {
                await peer.BeatAsync(new BeatRequest { From = host.Name, Sequence = ++sequence }, deadline: options.Timeout is { } timeout ? host.Clock.UtcNow + timeout : null, cancellationToken: lifetime);
                Acknowledged++;
            }
            catch (RpcException e)
            {
                host.Log.Event(new HeartbeatMissed(e.StatusCode, e.Status.Detail));
            }
        }
    }
}
