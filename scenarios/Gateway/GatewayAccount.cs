using Grpc.Core;
using Sim.Stack.Gateway;

namespace Sim.Scenarios.Gateway;

/// <summary>What happened at each gateway and to each party's processes, told from their typed events (printed by `sim run`).</summary>
public sealed class GatewayAccount
{
    private readonly Dictionary<string, Tally> tallies = new(StringComparer.Ordinal);

    public GatewayAccount(ScenarioContext context, GatewayTopology topology, IEnumerable<(string Name, Func<object?> Last)> others)
    {
        context.On<RouteTableLoaded>((e, at) => Get(at.Subject).Table = $"table v{e.Version} from {e.Source}");
        context.On<RouteTableRejected>((_, at) => Get(at.Subject).TablesRefused++);
        context.On<RequestRouted>((e, at) => Get(at.Subject).Routed[e.ToGateway ? "forwarded" : "to components"]++);
        context.On<RequestRefused>((e, at) => Get(at.Subject).Refused[e.Status] = Get(at.Subject).Refused.GetValueOrDefault(e.Status) + 1);
        context.On<MessageStored>((_, at) => Get(at.Subject).Stored++);
        context.On<MessageAcked>((_, at) => Get(at.Subject).Acked++);
        context.Account(() => topology.AllGateways.Select(g => $"{g.Name} (party {topology.PartyOf(g.Name)}): {Get(g.Name)}")
            .Concat(others.Select(o => $"{o.Name}: {o.Last()?.ToString() ?? "never started"}")));
    }

    private Tally Get(string gateway) => tallies.TryGetValue(gateway, out var tally) ? tally : tallies[gateway] = new Tally();

    private sealed class Tally
    {
        public string Table { get; set; } = "no table";

        public int TablesRefused { get; set; }

        public Dictionary<string, int> Routed { get; } = new(StringComparer.Ordinal) { ["forwarded"] = 0, ["to components"] = 0 };

        public Dictionary<StatusCode, int> Refused { get; } = [];

        public int Stored { get; set; }

        public int Acked { get; set; }

        public override string ToString() =>
            $"{Table} ({TablesRefused} refused); {Routed["forwarded"]} forwarded, {Routed["to components"]} to components; "
            + $"refused {(Refused.Count == 0 ? "none" : string.Join(", ", Refused.OrderByDescending(r => r.Value).ThenBy(r => r.Key).Select(r => $"{r.Value} {r.Key}")))}; "
            + $"queues: {Stored} stored, {Acked} acknowledged";
    }
}
