using Grpc.Core;
using Sim.Stack.Gateway;
using Sim.Stack.Rpc;
using Sim.Worlds;

namespace Sim.Scenarios.Gateway;

/// <summary>
/// Where requests end up (SCENARIOS.md section 3). Safety: a request for party P is only ever run by a component of P,
/// and a success the application sees was served by P with P's answer (checked from the side that asked); a request
/// for a gateway's own party goes to a component on its own site, never to another gateway; no request takes more than
/// two gateway-to-gateway hops, and every hop is counted in the headers the next gateway reads; the impostor no route may reach is never served. Uniqueness: a component runs a
/// request id once, however often gateways retried it.
/// </summary>
public sealed class DeliveryChecker
{
    public const string DeliveredToItsParty = "request-delivered-to-its-party";
    public const string OwnPartyStaysOnSite = "own-party-request-stays-on-site";
    public const string TwoHops = "at-most-two-gateway-hops";
    public const string HopsCounted = "every-gateway-hop-counted";
    public const string RunOnce = "component-runs-request-once";
    public const string ImpostorNeverServed = "impostor-never-served";

    private readonly HashSet<string> executed = new(StringComparer.Ordinal);
    private readonly Dictionary<string, AppRequestSent> sent = new(StringComparer.Ordinal);

    public DeliveryChecker(ScenarioContext context, GatewayTopology topology)
    {
        context.On<RequestRouted>((e, at) =>
        {
            if (topology.PartyOf(at.Subject) is not { } party)
            {
                return;
            }

            var site = topology.AllGateways.First(g => g.Name == at.Subject).Site;
            if (e.Target == party && (e.ToGateway || !e.Endpoint.StartsWith($"10.{site.Number}.", StringComparison.Ordinal)))
            {
                context.Fail(OwnPartyStaysOnSite, $"{at.Subject} (party {party}) sent {e.RequestId} for its own party's '{e.Component}' to {(e.ToGateway ? "gateway" : "component")} {e.Endpoint} via {e.Path}: it leaves site {site.Name}");
            }

            if (e.ToGateway && e.Hops + 1 > 2)
            {
                context.Fail(TwoHops, $"{at.Subject} forwarded {e.RequestId} as gateway hop {e.Hops + 1} (to {e.Endpoint})");
            }

            // An application's request enters its own gateway with no hops and every gateway it passes adds one.
            var hops = !sent.TryGetValue(e.RequestId, out var request) ? null
                : at.Subject == $"gw{request.Source}" ? "0"
                : party == RouteTable.Default ? "1"
                : "1 or 2";
            if (hops is not null && !hops.Contains(e.Hops.ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal))
            {
                context.Fail(HopsCounted, $"{at.Subject} routed {e.RequestId} ({request!.Details}) as having taken {e.Hops} gateway hop(s); from {(hops == "0" ? "its own application" : "there")} it has taken {hops}");
            }
        });
        context.On<JobExecuted>((e, at) =>
        {
            if (e.Target != e.Party)
            {
                context.Fail(DeliveredToItsParty, $"{at.Subject} (party {e.Party}) ran {e.RequestId}, a request for party {e.Target} from {e.Source}");
            }

            if (!executed.Add(e.RequestId))
            {
                context.Fail(RunOnce, $"{at.Subject} ran {e.RequestId} a second time");
            }
        });
        context.On<AppRequestSent>((e, _) => sent[e.Id] = e);
        context.On<AppRequestDone>((e, at) =>
        {
            if (e.Status == StatusCode.OK && sent.TryGetValue(e.Id, out var request)
                && (e.ServedBy != request.Target || (!request.Produce && e.Reply != $"{e.Id} accepted by {request.Target}")))
            {
                context.Fail(DeliveredToItsParty, $"{at.Subject}'s {(request.Produce ? "message" : "call")} {e.Id} for party {request.Target} succeeded, served by party {e.ServedBy ?? "(none)"}: '{e.Reply}'");
            }
        });
        context.On<RpcAccepted>((e, at) =>
        {
            if (at.Subject == topology.Impostor?.Name)
            {
                context.Fail(ImpostorNeverServed, $"the impostor at {topology.Impostor.Address} was served {e.Method}: a route reached it past its certificate's name");
            }
        });
    }
}
