using Grpc.Core;
using Sim.Stack.Fleet;
using Sim.Stack.Rpc;
using Sim.Worlds;

namespace Sim.Scenarios.Fleet;

/// <summary>
/// Accounting of calls: every call an honest node or the driver makes to the coordinator ends once (<see cref="RpcCompleted"/>),
/// and when it ends in a transport failure (Unavailable, DeadlineExceeded, Cancelled, Unknown, Internal) something the
/// world did must explain it (<see cref="Disturbances"/>). A process's own graceful stop explains only the calls it
/// cancels (Cancelled, or calls that were in flight when it began): the goodbye it sends while stopping must get its answer.
/// A deadline that passed while the clock held back runnable work of the caller or the coordinator (<see cref="EarlyFires"/>:
/// the Coyote engine firing a timer ahead of it, a slow scheduler) is the schedule's doing; no other failure is excused so.
/// Every failure a node, the driver or a probe saw names its cause, a status and a non-empty detail (<see cref="FailureCause"/>).
/// </summary>
public sealed class CallChecker
{
    public const string FailedCallsExplained = "every-failed-call-is-explained";

    private static readonly StatusCode[] TransportFailures = [StatusCode.Unavailable, StatusCode.DeadlineExceeded, StatusCode.Cancelled, StatusCode.Unknown, StatusCode.Internal];

    private readonly Dictionary<string, TimeSpan> stoppingSince = new(StringComparer.Ordinal);

    public CallChecker(ScenarioContext context, FleetTopology fleet, Disturbances disturbances, EarlyFires earlyFires)
    {
        var callers = fleet.Nodes.Cast<Live>().Concat(fleet.Driver is { } d ? [d] : []).ToDictionary(l => l.Name, StringComparer.Ordinal);
        var target = $"{fleet.Coordinator.DnsName}:{fleet.Coordinator.Port}";
        context.On<CreateNodeRejected>((e, at) => FailureCause.Require(context, at, "CreateNode", e.Status, e.Detail));
        context.On<NodeLeft>((e, at) => FailureCause.Require(context, at, "DeleteNode", e.Status, e.Detail));
        context.On<NodeCallFailed>((e, at) => FailureCause.Require(context, at, e.Call, e.Status, e.Detail));
        context.On<DriverCallFailed>((e, at) => FailureCause.Require(context, at, e.Call, e.Status, e.Detail));
        context.On<ProbeAnswered>((e, at) => FailureCause.Require(context, at, $"{e.Probe} probe", e.Status, e.Detail));
        context.On<ProcessStopping>((_, at) => stoppingSince[at.Subject] = at.Time);
        context.On<ProcessStarted>((_, at) => stoppingSince.Remove(at.Subject));
        context.On<RpcCompleted>((e, at) =>
        {
            if (e.Target != target || !TransportFailures.Contains(e.Status) || !callers.TryGetValue(at.Subject, out var caller))
            {
                return;
            }

            var stopping = stoppingSince.TryGetValue(at.Subject, out var since);
            if (stopping && (e.Status == StatusCode.Cancelled || e.Started <= since))
            {
                return; // the stop cancelled it
            }

            if (e.Status == StatusCode.DeadlineExceeded && earlyFires.HeldBack(e.Started, at.Time, at.Subject, fleet.Coordinator.Name))
            {
                return; // the schedule made it late
            }

            if (!disturbances.Disturbed(caller, fleet.Coordinator, e.Started, at.Time))
            {
                context.Fail(FailedCallsExplained, $"{at.Subject}'s {e.Method} (started {e.Started.TotalSeconds:F3}s{(stopping ? $", after its graceful stop began at {since.TotalSeconds:F3}s" : "")}) failed with {e.Status} ({e.Detail}) at {at.Time.TotalSeconds:F3}s, and no fault touched it");
            }
        });
    }
}
