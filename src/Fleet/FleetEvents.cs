using Grpc.Core;
using Sim.Stack.Host;

namespace Sim.Stack.Fleet;

// ---- the coordinator ----------------------------------------------------------------------------------

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

/// <summary>CreateNode registered a key: a fresh node id, or (1.14's stale mapping) the id the key still mapped to.</summary>
/// <param name="Key">The key's first hex digits.</param>
/// <param name="Existing">The id came from a mapping left behind, not from a fresh registration.</param>
public sealed record NodeCreated(long Node, string Key, bool Existing) : SimEvent
{
    public override string Kind => "fleet.create-node";

    public override string Details => Existing ? $"key={Key} returns existing node {Node}" : $"key={Key} node={Node}";
}

/// <summary>CreateNode refused a key an online node holds.</summary>
public sealed record CreateNodeRefused(string Key, long HeldBy) : SimEvent
{
    public override string Kind => "fleet.create-node-refused";

    public override string Details => $"key={Key} held by online node {HeldBy}";
}

/// <summary>DeleteNode removed a node entry.</summary>
public sealed record NodeDeleted(long Node) : SimEvent
{
    public override string Kind => "fleet.delete-node";

    public override string Details => $"node={Node}";
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

/// <summary>The node pulled task instructions.</summary>
public sealed record WorkReceived(int Tasks) : NodeEvent
{
    public override string Kind => "fleet.work";

    public override string Details => $"got work: {Tasks} task(s)";
}

/// <summary>Pulling or pushing failed in transport or authentication; the node carries on.</summary>
/// <param name="Call">PullTaskIns or PushTaskRes.</param>
public sealed record NodeCallFailed(string Call, StatusCode Status, string Detail) : NodeEvent
{
    public override string Kind => "fleet.call-failed";

    public override string Details => $"{Call} failed: {Status}: {Detail}";
}
