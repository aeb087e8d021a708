using Sim.Stack.Host;
using Sim.Stack.Rpc;

namespace Sim.Stack.Gateway;

/// <summary>
/// Connections per endpoint: up to <c>size</c> channels for each (address, TLS name), handed out in turn. A channel
/// redials by itself after its connection breaks, so the pool never holds more than <c>size</c> connections to one
/// endpoint however many requests and reloads go by. Endpoints stay pooled across table reloads: a table that moves a
/// party away and back reuses the same connections.
/// </summary>
public sealed class ChannelPool(IHost host, int size, Func<string, TlsClientOptions?> dialTls)
{
    private readonly Dictionary<(string Address, string? ServerName), Slots> pools = [];

    /// <summary>The next channel to <paramref name="endpoint"/>.</summary>
    public RpcChannel For(RouteEndpoint endpoint)
    {
        var key = (endpoint.Address, endpoint.UseSsl ? endpoint.ServerName : null);
        if (!pools.TryGetValue(key, out var slots))
        {
            pools[key] = slots = new Slots(new RpcChannel?[size]);
        }

        var index = slots.Next;
        slots.Next = (index + 1) % size;
        return slots.Channels[index] ??= new RpcChannel(host, endpoint.Host, endpoint.Port, endpoint.UseSsl ? dialTls(endpoint.ServerName) : null);
    }

    private sealed class Slots(RpcChannel?[] channels)
    {
        public RpcChannel?[] Channels { get; } = channels;

        public int Next { get; set; }
    }
}
