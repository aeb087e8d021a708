using Grpc.Core;
using Sim.Stack.Gateway;
using Sim.Worlds;

namespace Sim.Scenarios.Gateway;

/// <summary>
/// A reference model of every gateway's routing, driven by the gateways' typed events. It keeps each table version a
/// gateway incarnation loaded (read by <see cref="TableModel"/>, not by the gateway's parser) and judges every
/// decision against it. Model (safety): a lookup uses one table version — the route it took (path and endpoint) is
/// that version's route, so a lookup racing a reload can never combine two versions. Eligibility (safety): decisions
/// use the table live at that moment (the latest loaded), and table versions only grow. Model (safety): "no route"
/// is answered exactly when the live table has none (for the own party: the own entry only). Eligibility (safety): a
/// party the live table's permission lets call another (deny, then allow, then default_allow, which is true when the
/// table or its permission leaves it out) is never refused for permission.
/// </summary>
public sealed class RoutingModel
{
    public const string OneVersion = "lookup-uses-one-table-version";
    public const string CurrentTable = "routes-use-the-current-table";
    public const string NoRouteWhenNone = "no-route-exactly-when-the-table-has-none";
    public const string Permitted = "permitted-route-never-refused";

    private readonly ScenarioContext context;
    private readonly GatewayTopology topology;
    private readonly Dictionary<string, Dictionary<long, TableModel>> versions = new(StringComparer.Ordinal);

    public RoutingModel(ScenarioContext context, GatewayTopology topology)
    {
        this.context = context;
        this.topology = topology;
        context.On<ProcessStarted>((_, at) => Reset(at.Subject));
        context.On<RouteTableLoaded>(Loaded);
        context.On<RequestRouted>(Routed);
        context.On<RequestRefused>(Refused);
    }

    /// <summary>The latest table version gateway <paramref name="gateway"/>'s current incarnation loaded (0: none yet).</summary>
    public long Latest(string gateway) => versions.TryGetValue(gateway, out var loaded) && loaded.Count > 0 ? loaded.Keys.Max() : 0;

    /// <summary>The model of the latest table of <paramref name="gateway"/>, if it loaded one.</summary>
    public TableModel? LatestTable(string gateway) => versions.TryGetValue(gateway, out var loaded) && loaded.Count > 0 ? loaded[loaded.Keys.Max()] : null;

    private void Reset(string process)
    {
        if (topology.PartyOf(process) is not null)
        {
            versions[process] = [];
        }
    }

    private void Loaded(RouteTableLoaded e, LoggedEvent at)
    {
        var loaded = versions.TryGetValue(at.Subject, out var known) ? known : versions[at.Subject] = [];
        if (loaded.Count > 0 && e.Version <= loaded.Keys.Max())
        {
            context.Fail(CurrentTable, $"{at.Subject} loaded table v{e.Version} from {e.Source} after v{loaded.Keys.Max()}: versions must only grow");
        }

        loaded[e.Version] = TableModel.Read(e.Text);
    }

    private void Routed(RequestRouted e, LoggedEvent at)
    {
        var gateway = at.Subject;
        var own = e.Target == topology.PartyOf(gateway);
        var latest = Latest(gateway);
        if (e.Version != latest)
        {
            context.Fail(CurrentTable, $"{gateway} routed {e.RequestId} with table v{e.Version} while v{latest} was live");
            return;
        }

        var expected = versions[gateway][e.Version].Lookup(e.Target, e.Component, own);
        if (expected is not { } route || route.Path != e.Path || !route.Endpoints.Contains(e.Endpoint) || e.ToGateway == own)
        {
            var should = expected is { } r ? $"{string.Join(" or ", r.Endpoints.Order(StringComparer.Ordinal))} ({r.Path}, to a {(own ? "component" : "gateway")})" : "no route at all";
            context.Fail(OneVersion, $"{gateway} sent {e.RequestId} for party {e.Target} component '{e.Component}' to {(e.ToGateway ? "gateway" : "component")} {e.Endpoint} via {e.Path}, stamped table v{e.Version}; v{e.Version} routes it to {should}");
        }
    }

    private void Refused(RequestRefused e, LoggedEvent at)
    {
        if (!e.FromNextHop && e.Status == StatusCode.PermissionDenied && e.Detail == $"party {e.Source} may not call {e.Target}"
            && LatestTable(at.Subject) is { } live && live.Allows(e.Source, e.Target))
        {
            context.Fail(Permitted, $"{at.Subject} refused {e.RequestId} '{e.Detail}', but its live table v{Latest(at.Subject)} lets party {e.Source} call {e.Target}");
        }

        if (e.FromNextHop || e.Status != StatusCode.Unavailable || !e.Detail.StartsWith("no route to party ", StringComparison.Ordinal) || topology.PartyOf(at.Subject) is not { } party)
        {
            return;
        }

        var component = e.Detail[(e.Detail.LastIndexOf(' ') + 1)..];
        if (LatestTable(at.Subject)?.Lookup(e.Target, component, e.Target == party) is { } route)
        {
            context.Fail(NoRouteWhenNone, $"{at.Subject} answered '{e.Detail}' for {e.RequestId}, but its live table v{Latest(at.Subject)} routes it via {route.Path}");
        }
    }
}
