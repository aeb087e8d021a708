using Sim.Stack.Gateway;
using Sim.Stack.Rpc;
using Sim.Worlds;

namespace Sim.Scenarios.Gateway;

/// <summary>
/// Resources at the horizon, after the quiet point and the settling bound, when applications have stopped and only
/// consumers poll: a gateway keeps at most its pool's size of connections to any one peer (reloads, retries and
/// restarts of peers never pile up connections), serves no more calls than its party's consumer justifies (one
/// long poll), and holds no timers or loops beyond its table watcher, its accept loop, one loop per open connection
/// and what its calls in flight need (the RPC server disarms a call's deadline timer when the call ends, so a
/// finished call justifies no timer).
/// </summary>
public sealed class ResourceChecker
{
    public const string Invariant = "gateway-resources-settle";

    private readonly Dictionary<string, int> inFlight = new(StringComparer.Ordinal);

    public ResourceChecker(ScenarioContext context, GatewayTopology topology, int poolSize)
    {
        context.On<ProcessStarted>((_, at) =>
        {
            inFlight[at.Subject] = 0;
        });
        context.On<RpcAccepted>((_, at) =>
        {
            inFlight[at.Subject] = inFlight.GetValueOrDefault(at.Subject) + 1;
        });
        context.On<RpcHandled>((_, at) => inFlight[at.Subject] = inFlight.GetValueOrDefault(at.Subject) - 1);
        context.Eventually(Invariant, () =>
        {
            foreach (var gateway in topology.AllGateways.Where(g => g.IsUp))
            {
                var held = context.World.Resources(gateway.Process);
                var mine = held.Connections.Where(c => (c.Client == gateway.Name && !c.ClientClosed) || (c.Server == gateway.Name && !c.ServerClosed)).ToList();
                if (mine.Where(c => c.Client == gateway.Name).GroupBy(c => c.Server).FirstOrDefault(g => g.Count() > poolSize) is { } piled)
                {
                    return $"{gateway.Name} holds {piled.Count()} connections to {piled.Key} (pool size {poolSize}): {string.Join(", ", piled)}";
                }

                var calls = inFlight.GetValueOrDefault(gateway.Name);
                var justified = topology.PartyOf(gateway.Name) == RouteTable.Default ? 0 : 1;
                if (calls > justified)
                {
                    return $"{gateway.Name} still serves {calls} call(s) at the horizon; its party's consumer justifies {justified}";
                }

                if (held.PendingTimers > 1 + (2 * calls) || held.RunningLoops > 2 + mine.Count)
                {
                    return $"{gateway.Name} holds {held.PendingTimers} timer(s) and {held.RunningLoops} loop(s) with {calls} call(s) in flight and {mine.Count} open connection(s): {held}";
                }
            }

            return null;
        });
    }
}
