using Grpc.Core;
using Sim.Stack.Fleet;
using Sim.Worlds;

namespace Sim.Scenarios.Fleet;

/// <summary>
/// Graceful leaves, from the registry's side. A node that stops gracefully deletes its registration: when its grace
/// runs out, the registry (the model's) holds no node for its key — unless its goodbye failed in transport or was
/// rejected by authentication (its clock outside the window: the security checker judges that), or never
/// got an answer while something disturbed the way to the coordinator, or one of its registrations failed in transport
/// (the coordinator may have made one the node never heard of), or it never registered. And a node says goodbye only
/// for a registration it holds: an incarnation that never registered sends no DeleteNode.
/// </summary>
public sealed class LeaveChecker
{
    public const string StoppedNodeForgotten = "gracefully-stopped-node-is-forgotten";
    public const string GoodbyeOnlyWhenRegistered = "goodbye-only-for-a-registration-held";

    /// <summary>Goodbyes that may leave the registration behind: lost in transport, or refused for the node's clock.</summary>
    private static readonly StatusCode[] Excused = [StatusCode.Unavailable, StatusCode.DeadlineExceeded, StatusCode.Cancelled, StatusCode.Unauthenticated];

    private readonly Dictionary<string, Leaving> nodes = new(StringComparer.Ordinal);

    public LeaveChecker(ScenarioContext context, FleetTopology fleet, FleetModel model, Disturbances disturbances)
    {
        context.On<ProcessStarted>((_, at) => nodes[at.Subject] = new Leaving());
        context.On<NodeRegistered>((_, at) => Of(at.Subject).Registered = true);
        context.On<CreateNodeRejected>((e, at) => Of(at.Subject).Unsure |= e.Status is not (StatusCode.FailedPrecondition or StatusCode.Unauthenticated));
        context.On<ProcessStopping>((e, at) => (Of(at.Subject).StoppingAt, Of(at.Subject).Grace) = (at.Time, e.Grace));
        context.On<NodeLeft>((e, at) =>
        {
            var node = Of(at.Subject);
            node.Goodbye = e.Status;
            if (!node.Registered)
            {
                context.Fail(GoodbyeOnlyWhenRegistered, $"{at.Subject} said goodbye as node {e.Node} ({e.Status}), but this incarnation never registered");
            }
        });
        context.On<ProcessKilled>((_, at) =>
        {
            if (fleet.Node(at.Subject) is not { } live || !nodes.TryGetValue(at.Subject, out var node) || node.StoppingAt is not { } since
                || at.Time < since + node.Grace || !node.Registered || node.Unsure || model.Coordinator.Current is null
                || !model.State.KeyToNode.TryGetValue(fleet.Keys[at.Subject], out var held))
            {
                return;
            }

            // Up to the tick before the kill: the kill that ends the grace is not what kept the goodbye from its answer.
            var excused = node.Goodbye is { } status ? Excused.Contains(status) : disturbances.Disturbed(live, fleet.Coordinator, since, at.Time - TimeSpan.FromTicks(1));
            if (!excused)
            {
                context.Fail(StoppedNodeForgotten, $"{at.Subject} stopped gracefully at {since.TotalSeconds:F3}s ({(node.Goodbye is { } s ? $"its goodbye answered {s}" : "no goodbye sent or answered")}), and when its grace ran out the registry still held node {held} for its key");
            }
        });
    }

    private Leaving Of(string process) => nodes.TryGetValue(process, out var node) ? node : nodes[process] = new Leaving();

    /// <summary>One node incarnation's registration and leave.</summary>
    private sealed class Leaving
    {
        public bool Registered { get; set; }

        public bool Unsure { get; set; }

        public TimeSpan? StoppingAt { get; set; }

        public TimeSpan Grace { get; set; }

        public StatusCode? Goodbye { get; set; }
    }
}
