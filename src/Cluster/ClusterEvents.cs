using Sim.Stack.Host;

namespace Sim.Stack.Cluster;

/// <summary>The head serves the party's cluster.</summary>
public sealed record HeadServing(string Party, string Address, int Port) : SimEvent
{
    public override string Kind => "cluster.head-serving";

    public override string Details => $"party={Party} at {Address}:{Port}";
}

/// <summary>The head admitted a node: from now on the scheduler may place actors on it.</summary>
public sealed record NodeRegistered(string Party, string NodeId, string Machine, string Address, int Cpus) : SimEvent
{
    public override string Kind => "cluster.node-registered";

    public override string Details => $"{Party} {NodeId} on {Machine} ({Address}) cpus={Cpus}";
}

/// <summary>The head declared a node dead (no heartbeat for <paramref name="Silent"/>); its actors fail with it.</summary>
public sealed record NodeDeclaredDead(string Party, string NodeId, string Machine, TimeSpan Silent) : SimEvent
{
    public override string Kind => "cluster.node-dead";

    public override string Details => $"{Party} {NodeId} on {Machine}: no heartbeat for {Silent.TotalMilliseconds:F0} ms";
}

/// <summary>The head took a new actor into its table (a driver's first CreateActor for the id): placement starts now.</summary>
public sealed record ActorCreated(string Party, string ActorId, int Cpus) : SimEvent
{
    public override string Kind => "cluster.actor-created";

    public override string Details => $"{Party} {ActorId} asks cpus={Cpus}";
}

/// <summary>The scheduler placed an actor: the node, its machine, the CPU slots it took and what the node had free before.</summary>
/// <param name="Proxied">True when the head forwards the party's advertised ports to the actor's machine.</param>
public sealed record ActorPlaced(string Party, string ActorId, string NodeId, string Machine, int Cpus, int FreeBefore, bool Proxied) : SimEvent
{
    public override string Kind => "cluster.actor-placed";

    public override string Details => $"{Party} {ActorId} on {NodeId} ({Machine}) cpus={Cpus} free-before={FreeBefore}{(Proxied ? " proxied from the head" : "")}";
}

/// <summary>An actor ended: finished, or failed with a cause (its own exception, its node's death, a lost head).</summary>
public sealed record ActorEnded(string Party, string ActorId, string Machine, bool Failed, string ErrorKind, string Cause) : SimEvent
{
    public override string Kind => "cluster.actor-ended";

    public override string Details => Failed ? $"{Party} {ActorId} on {Machine} failed ({ErrorKind}): {Cause}" : $"{Party} {ActorId} on {Machine} finished";
}

/// <summary>The node agent started an actor in its process.</summary>
public sealed record ActorStarted(string ActorId, string ActorClass, string Machine) : SimEvent
{
    public override string Kind => "cluster.actor-started";

    public override string Details => $"{ActorId} ({ActorClass}) on {Machine}";
}

/// <summary>The head opened (or closed) a forwarding proxy from the party's advertised address to an actor's machine.</summary>
public sealed record ProxyChanged(string Party, string ActorId, string Listen, string Target, bool Open) : SimEvent
{
    public override string Kind => Open ? "cluster.proxy-open" : "cluster.proxy-closed";

    public override string Details => $"{Party} {Listen} -> {Target} for {ActorId}";
}

/// <summary>A node agent lost its head (no reply for the node timeout, or the head no longer knows it) and stopped its actors.</summary>
public sealed record HeadLost(string Party, string Machine, int ActorsStopped, string Reason) : SimEvent
{
    public override string Kind => "cluster.head-lost";

    public override string Details => $"{Party} node on {Machine}: {Reason}; {ActorsStopped} actor(s) stopped";
}

/// <summary>A placement was undone: the node did not start the actor (it is down, or no longer registered); the scheduler tries again.</summary>
public sealed record ActorUnplaced(string Party, string ActorId, string NodeId, string Machine, string Reason) : SimEvent
{
    public override string Kind => "cluster.actor-unplaced";

    public override string Details => $"{Party} {ActorId} from {NodeId} ({Machine}): {Reason}";
}

/// <summary>
/// The head took a driver's kill of an actor (<paramref name="Was"/>: the phase it was in, or "unknown" for an id it
/// had not taken in yet, now remembered as killed) and, when it ran on a node, whether the node confirmed it stopped.
/// </summary>
public sealed record ActorKilled(string Party, string ActorId, string Was, string Machine, bool Stopped) : SimEvent
{
    public override string Kind => "cluster.actor-killed";

    public override string Details => $"{Party} {ActorId} ({Was}){(Machine.Length > 0 ? $" on {Machine}" : "")}{(Stopped ? "" : "; its node did not confirm the stop")}";
}

/// <summary>A node agent stopped an actor its head killed.</summary>
public sealed record ActorStopped(string ActorId, string Machine, bool WasRunning) : SimEvent
{
    public override string Kind => "cluster.actor-stopped";

    public override string Details => $"{ActorId} on {Machine}{(WasRunning ? "" : " (not running here)")}";
}
