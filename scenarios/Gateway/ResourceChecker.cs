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
/// finished call justifies no timer). A gateway's ledger of delivered call ids (kept on its disk so that a retry is
/// never run twice) forgets them after its retention: when it last delivered a call, no entry older than the
/// retention and a call's lifetime before that is left on its disk.
/// </summary>
public sealed class ResourceChecker
{
    public const string Invariant = "gateway-resources-settle";

    public const string LedgerForgets = "ledger-forgets-answered-calls";

    // A ledger entry is pruned by the next delivery once it is older than the retention and its call has ended: a
    // delivery ends within its try's deadline (1 s) after a flush, unless the gateway was paused, slowed or its disk
    // stalled, which may hold it for seconds.
    private static readonly TimeSpan CallEnds = TimeSpan.FromSeconds(1.5);
    private static readonly TimeSpan CallEndsWhenHeld = TimeSpan.FromSeconds(6);

    private const string LedgerPrefix = "ledger/";

    private readonly Dictionary<string, int> inFlight = new(StringComparer.Ordinal);
    private readonly Dictionary<string, TimeSpan> lastDelivery = new(StringComparer.Ordinal);
    private readonly HashSet<string> held = new(StringComparer.Ordinal);

    public ResourceChecker(ScenarioContext context, GatewayTopology topology, int poolSize, TimeSpan retention)
    {
        context.On<ProcessStarted>((_, at) =>
        {
            inFlight[at.Subject] = 0;
            lastDelivery.Remove(at.Subject);
        });
        context.On<FaultAction.Pause>((e, _) => held.Add(e.Process));
        context.On<FaultAction.SlowDown>((e, _) => held.Add(e.Process));
        context.On<FaultAction.StallDisk>((e, _) => held.Add(e.Process));
        context.On<RequestRouted>((e, at) =>
        {
            if (!e.ToGateway)
            {
                lastDelivery[at.Subject] = at.Time;
            }
        });
        context.On<RpcAccepted>((_, at) =>
        {
            inFlight[at.Subject] = inFlight.GetValueOrDefault(at.Subject) + 1;
        });
        context.On<RpcHandled>((_, at) => inFlight[at.Subject] = inFlight.GetValueOrDefault(at.Subject) - 1);
        context.Eventually(LedgerForgets, () =>
        {
            foreach (var gateway in topology.Gateways.Values.Where(g => g.IsUp && lastDelivery.ContainsKey(g.Name)))
            {
                var cut = lastDelivery[gateway.Name] - retention - (held.Contains(gateway.Name) ? CallEndsWhenHeld : CallEnds);
                var disk = gateway.Machine.Disks[gateway.Name];
                var stale = disk.Keys(LedgerPrefix)
                    .Select(k => (Key: k, At: TimeSpan.FromTicks(long.Parse(System.Text.Encoding.UTF8.GetString(disk.Read(k)!), System.Globalization.CultureInfo.InvariantCulture))))
                    .Where(k => k.At < cut)
                    .ToList();
                if (stale.Count > 0)
                {
                    return $"{gateway.Name} still keeps {stale.Count} ledger entr(ies) recorded before {cut.TotalSeconds:F3}s (e.g. {stale[0].Key} at {stale[0].At.TotalSeconds:F3}s), although it delivered a call at {lastDelivery[gateway.Name].TotalSeconds:F3}s and forgets ids after {retention.TotalSeconds}s";
                }
            }

            return null;
        });
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
