using System.Globalization;
using Grpc.Core;
using Sim.Stack.Host;

namespace Sim.Stack.Fleet;

// ---- the coordinator ----------------------------------------------------------------------------------
// Each handler reports the decision it took with the inputs it took it from (the caller's key, the node id and
// interval asked for, the coordinator's own time), so a reference model can take the same decision and compare.

/// <summary>A task instruction and the node it is (or was to be) queued for, or a result and the node that produced it.</summary>
public sealed record NodeTask(string Task, long Node)
{
    public override string ToString() => $"{Task}@{Node}";
}

/// <summary>
/// A change of the coordinator's state, reported as it is made (before it is flushed, in the order of the durable
/// backend's writes): one per write, so a model knows which of them a restart must have kept.
/// </summary>
public abstract record FleetChange : SimEvent;

/// <summary>The coordinator serves, with the registry its backend recovered.</summary>
public sealed record CoordinatorUp(bool Durable, int Nodes) : SimEvent
{
    public override string Kind => "fleet.coordinator-up";

    public override string Details => $"backend={(Durable ? "durable" : "in-memory")} nodes={Nodes}";
}

/// <summary>A call failed node authentication (unknown key, bad signature, stale timestamp).</summary>
/// <param name="Key">The presented key's first hex digits (<c>-</c> if none).</param>
public sealed record AuthRejected(string Key, string Method, string Why) : SimEvent
{
    public override string Kind => "fleet.auth-rejected";

    public override string Details => $"key={Key} method={Method}: {Why}";
}

/// <summary>CreateNode registered a key under a fresh node id.</summary>
/// <param name="Key">The key (hex).</param>
/// <param name="Interval">The ping interval the node asked for (seconds).</param>
/// <param name="OnlineUntil">Until when the coordinator's clock counts the node online.</param>
public sealed record NodeCreated(long Node, string Key, double Interval, DateTime OnlineUntil) : FleetChange
{
    public override string Kind => "fleet.create-node";

    public override string Details => $"key={FleetText.Short(Key)} node={Node}";
}

/// <summary>1.14's stale mapping: CreateNode returned the id the key still mapped to, whether or not its entry lives.</summary>
public sealed record StaleNodeReturned(long Node, string Key) : SimEvent
{
    public override string Kind => "fleet.create-node-stale";

    public override string Details => $"key={FleetText.Short(Key)} returns existing node {Node}";
}

/// <summary>CreateNode refused a key an online node holds.</summary>
public sealed record CreateNodeRefused(string Key, long HeldBy) : SimEvent
{
    public override string Kind => "fleet.create-node-refused";

    public override string Details => $"key={FleetText.Short(Key)} held by online node {HeldBy}";
}

/// <summary>CreateNode found the key held by an offline node (one that crashed without DeleteNode) and removed that entry.</summary>
/// <param name="Dropped">The task instructions still queued for the removed node, dropped with it.</param>
public sealed record NodeReclaimed(long Node, string Key, IReadOnlyList<string> Dropped) : FleetChange
{
    public override string Kind => "fleet.reclaim";

    public override string Details => $"key={FleetText.Short(Key)} offline node {Node} removed{FleetText.Dropped(Dropped)}";
}

/// <summary>DeleteNode removed the caller's node entry.</summary>
/// <param name="Dropped">The task instructions still queued for the removed node, dropped with it.</param>
public sealed record NodeDeleted(long Node, string Key, IReadOnlyList<string> Dropped) : FleetChange
{
    public override string Kind => "fleet.delete-node";

    public override string Details => $"node={Node}{FleetText.Dropped(Dropped)}";
}

/// <summary>DeleteNode named a node that is not the caller's (or no longer exists): nothing was deleted.</summary>
public sealed record DeleteNodeIgnored(long Node, string Key) : SimEvent
{
    public override string Kind => "fleet.delete-node-ignored";

    public override string Details => $"node={Node} is not key={FleetText.Short(Key)}'s";
}

/// <summary>A ping from the node's own key: the entry is refreshed until <paramref name="OnlineUntil"/>.</summary>
public sealed record NodePinged(long Node, string Key, double Interval, DateTime OnlineUntil) : FleetChange
{
    public override string Kind => "fleet.ping";

    public override string Details => $"node={Node} online until {OnlineUntil.ToString("HH:mm:ss.fff", CultureInfo.InvariantCulture)}";
}

/// <summary>A ping for a node the caller's key does not hold: answered success=false.</summary>
public sealed record UnknownNodePinged(long Node, string Key) : SimEvent
{
    public override string Kind => "fleet.ping-unknown";

    public override string Details => $"node={Node} unknown to key={FleetText.Short(Key)}";
}

/// <summary>The driver pushed task instructions: queued for nodes online now, refused for the others.</summary>
public sealed record TasksQueued(IReadOnlyList<NodeTask> Accepted, IReadOnlyList<NodeTask> Refused) : FleetChange
{
    public override string Kind => "fleet.push-tasks";

    public override string Details => $"queued={Accepted.Count}{(Refused.Count > 0 ? $" refused={string.Join(',', Refused)}" : "")}";
}

/// <summary>PullTaskIns handed a node the task instructions queued for it.</summary>
/// <param name="Key">The caller's key.</param>
public sealed record TasksHandedOut(long Node, string Key, IReadOnlyList<string> Tasks) : FleetChange
{
    public override string Kind => "fleet.pull-tasks";

    public override string Details => $"node={Node} tasks={string.Join(',', Tasks)}";
}

/// <summary>PushTaskRes: results stored for the caller's own nodes, ignored for nodes that are not the caller's.</summary>
/// <param name="Key">The caller's key.</param>
public sealed record ResultsStored(string Key, IReadOnlyList<NodeTask> Stored, IReadOnlyList<NodeTask> Ignored) : FleetChange
{
    public override string Kind => "fleet.push-results";

    public override string Details => $"stored={Stored.Count}{(Ignored.Count > 0 ? $" ignored={string.Join(',', Ignored)}" : "")}";
}

/// <summary>PullTaskRes handed the driver these results; delivered once, the coordinator forgets them.</summary>
public sealed record ResultsDelivered(IReadOnlyList<string> Tasks) : FleetChange
{
    public override string Kind => "fleet.pull-results";

    public override string Details => $"delivered={string.Join(',', Tasks)}";
}

/// <summary>GetNodes answered the driver with the nodes online now.</summary>
public sealed record NodesListed(IReadOnlyList<long> Nodes) : SimEvent
{
    public override string Kind => "fleet.get-nodes";

    public override string Details => $"online={string.Join(',', Nodes)}";
}

/// <summary>CreateRun registered a run.</summary>
public sealed record RunCreated(long Run, string Fab) : FleetChange
{
    public override string Kind => "fleet.create-run";

    public override string Details => $"run={Run} fab={Fab}";
}

// ---- a node ---------------------------------------------------------------------------------------------

/// <summary>What a node saw, in order: its details read as a line of the node's account.</summary>
public abstract record NodeEvent : SimEvent;

/// <summary>CreateNode gave the node its id.</summary>
public sealed record NodeRegistered(long Node) : NodeEvent
{
    public override string Kind => "fleet.registered";

    public override string Details => $"registered as node {Node}";
}

/// <summary>CreateNode failed; the node backs off and tries again.</summary>
public sealed record CreateNodeRejected(StatusCode Status, string Detail) : NodeEvent
{
    public override string Kind => "fleet.create-node-rejected";

    public override string Details => $"CreateNode rejected: {Status}: {Detail}";
}

/// <summary>The node left gracefully on stop: DeleteNode went through, or failed.</summary>
public sealed record NodeLeft(long Node, StatusCode Status, string Detail) : NodeEvent
{
    public override string Kind => "fleet.left";

    public override string Details => Status == StatusCode.OK ? $"deleted node {Node} on stop" : $"DeleteNode failed on stop: {Status} {Detail}";
}

/// <summary>A ping failed in transport; the loop retries.</summary>
public sealed record PingFailed(StatusCode Status) : NodeEvent
{
    public override string Kind => "fleet.ping-failed";

    public override string Details => $"ping failed: {Status} (will retry)";
}

/// <summary>A ping answered success=false: the coordinator does not know the node any more, so it registers again.</summary>
public sealed record NodeForgotten(long Node) : NodeEvent
{
    public override string Kind => "fleet.forgotten";

    public override string Details => $"coordinator no longer knows node {Node}: registering again";
}

/// <summary>The ping loop ended while the process lives (1.14: a ping answered success=false is fatal).</summary>
public sealed record PingLoopDied(long Node, string Reason) : NodeEvent
{
    public override string Kind => "fleet.ping-loop-died";

    public override string Details => $"ping loop stopped: {Reason} (node {Node})";
}

/// <summary>The node pulled task instructions as <paramref name="Node"/>.</summary>
public sealed record WorkReceived(long Node, IReadOnlyList<string> Tasks) : NodeEvent
{
    public override string Kind => "fleet.work";

    public override string Details => $"got work: {Tasks.Count} task(s)";
}

/// <summary>Pulling, fetching a run or pushing failed in transport or authentication; the node carries on.</summary>
/// <param name="Call">PullTaskIns, GetRun or PushTaskRes.</param>
/// <param name="Lost">The tasks whose results this failure lost (none for a failed pull: the node never saw its tasks).</param>
public sealed record NodeCallFailed(string Call, StatusCode Status, string Detail, IReadOnlyList<string> Lost) : NodeEvent
{
    public override string Kind => "fleet.call-failed";

    public override string Details => $"{Call} failed: {Status}: {Detail}";
}

/// <summary>GetRun gave the node a run's definition (a node fetches each run once, before it executes the run's first task).</summary>
public sealed record RunFetched(long Run, string Fab) : SimEvent
{
    public override string Kind => "fleet.run-fetched";

    public override string Details => $"run={Run} fab={Fab}";
}

/// <summary>How fleet events print keys and dropped tasks.</summary>
internal static class FleetText
{
    public static string Short(string key) => key[..Math.Min(12, key.Length)];

    public static string Dropped(IReadOnlyList<string> tasks) => tasks.Count > 0 ? $", dropped {string.Join(',', tasks)}" : "";
}
