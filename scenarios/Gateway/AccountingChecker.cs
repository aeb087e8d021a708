using Grpc.Core;
using Sim.Stack.Gateway;
using Sim.Worlds;

namespace Sim.Scenarios.Gateway;

/// <summary>
/// Every application request, from the side that asked. Accounting (safety): a request id is sent once and ends
/// exactly once, with OK or a status a user can act on (never Unknown or Internal, never an empty message). Model
/// (safety): what the tables refuse in every version never succeeds — a component the party does not have (and it
/// ends "no route", never in a routing loop), party 10001 calling 10000 (denied by 10000's table), party 20000 (the
/// impostor). A "no route" names the party and the component the request asked for, and a gateway's log of a refusal
/// names the request's source, target and method. Liveness: after the quiet point every request ends within the settling bound.
/// A request may also end Cancelled when its party's own gateway, or a gateway it passed on its way (an exchange), was
/// stopped or killed while it was open: a gRPC server that shuts down answers the calls it is serving Cancelled, as
/// real ones do (grpc/grpc#41785), the gateways before it relay that answer, and the application retries it as it
/// would Unavailable (swarm seed 9013: exchange-a stopped under a relayed PRODUCE_MSG).
/// </summary>
public sealed class AccountingChecker
{
    public const string EndsOnce = "request-ends-once-with-a-clear-status";
    public const string EndsWithinBound = "every-request-ends-within-bound";
    public const string NeverSucceeds = "request-the-tables-refuse-never-succeeds";
    public const string RefusalNamesRequest = "refusal-names-the-request";

    private static readonly StatusCode[] Clear =
    [
        StatusCode.OK, StatusCode.Unavailable, StatusCode.DeadlineExceeded, StatusCode.PermissionDenied,
        StatusCode.ResourceExhausted, StatusCode.FailedPrecondition, StatusCode.Aborted, StatusCode.NotFound,
    ];

    private readonly Dictionary<string, (AppRequestSent Request, TimeSpan At)> open = new(StringComparer.Ordinal);
    private readonly HashSet<string> ended = new(StringComparer.Ordinal);
    private readonly List<(TimeSpan At, string Process)> shutdowns = [];

    // The gateways each request passed (the ones that routed it), besides its party's own.
    private readonly Dictionary<string, HashSet<string>> passed = new(StringComparer.Ordinal);

    public AccountingChecker(ScenarioContext context, TimeSpan bound)
    {
        context.On<ProcessStopping>((_, at) => shutdowns.Add((at.Time, at.Subject)));
        context.On<ProcessKilled>((_, at) => shutdowns.Add((at.Time, at.Subject)));
        context.On<AppRequestSent>((e, at) =>
        {
            if (ended.Contains(e.Id) || !open.TryAdd(e.Id, (e, at.Time)))
            {
                context.Fail(EndsOnce, $"{at.Subject} sent request id {e.Id} twice");
            }
        });
        context.On<RequestRouted>((e, at) =>
        {
            if (open.ContainsKey(e.RequestId))
            {
                (passed.TryGetValue(e.RequestId, out var gateways) ? gateways : passed[e.RequestId] = new(StringComparer.Ordinal)).Add(at.Subject);
            }
        });
        context.On<RequestRefused>((e, at) =>
        {
            if (open.TryGetValue(e.RequestId, out var sent) && (e.Source, e.Target, e.Method) != (sent.Request.Source, sent.Request.Target, Method(sent.Request)))
            {
                context.Fail(RefusalNamesRequest, $"{at.Subject} logged its refusal of {e.RequestId} ({sent.Request.Details}) as {e.Source}->{e.Target} {e.Method}");
            }
        });
        context.On<AppRequestDone>((e, at) =>
        {
            if (!open.Remove(e.Id, out var sent))
            {
                context.Fail(EndsOnce, $"{at.Subject}'s request {e.Id} ended {(ended.Contains(e.Id) ? "a second time" : "without having been sent")}: {e.Status}");
                return;
            }

            ended.Add(e.Id);
            var via = passed.Remove(e.Id, out var gateways) ? gateways : [];
            var gatewayShutDown = e.Status == StatusCode.Cancelled
                && shutdowns.Any(d => (d.Process == $"gw{sent.Request.Source}" || via.Contains(d.Process)) && d.At >= sent.At && d.At <= at.Time);
            if ((!Clear.Contains(e.Status) && !gatewayShutDown) || (e.Status != StatusCode.OK && string.IsNullOrWhiteSpace(e.Detail)))
            {
                context.Fail(EndsOnce, $"{at.Subject}'s request {e.Id} ended with {e.Status} '{e.Detail}': not a status a user can act on");
            }

            var component = sent.Request.Produce || sent.Request.What.Length == 0 ? RouteTable.Default : sent.Request.What;
            var noRoute = $"no route to party {sent.Request.Target} component {component}";
            if (e.Status == StatusCode.Unavailable && e.Detail.StartsWith("no route to party ", StringComparison.Ordinal) && e.Detail != noRoute)
            {
                context.Fail(EndsOnce, $"{at.Subject}'s request {e.Id} ({sent.Request.Details}) ended Unavailable '{e.Detail}', but the gateway that had no route says '{noRoute}'");
            }

            if (Refused(sent.Request) is { } why && (e.Status == StatusCode.OK || (sent.Request.What == RouteTables.Missing && e.Status == StatusCode.FailedPrecondition)))
            {
                context.Fail(NeverSucceeds, $"{at.Subject}'s request {e.Id} ({sent.Request.Details}) ended {e.Status}{(e.Detail.Length > 0 ? ": " + e.Detail : "")}, but {why}");
            }
        });
        context.Eventually(EndsWithinBound, () => open.Values
            .Where(o => o.At < context.Horizon - bound)
            .Select(o => $"{o.Request.Details}, sent at {o.At.TotalSeconds:F3}s, had not ended by {context.Horizon.TotalSeconds}s")
            .FirstOrDefault());
    }

    public int Ended => ended.Count;

    private static string Method(AppRequestSent request) => request.Produce ? GatewayMethods.Produce : GatewayMethods.Unary;

    private static string? Refused(AppRequestSent request) =>
        request.What == RouteTables.Missing ? $"party {request.Target} has no component '{RouteTables.Missing}': it must end 'no route' at its own gateway"
        : request.Source == "10001" && request.Target == "10000" ? "every table of party 10000 denies party 10001"
        : request.Target == "20000" ? "party 20000 is routed to an impostor whose certificate does not carry the route's hostname"
        : null;
}
