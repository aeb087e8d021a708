namespace Sim.Stack.Cluster;

/// <summary>A node as the head's scheduler sees it: where it is, its CPU slots and who uses them.</summary>
public sealed class NodeEntry(string nodeId, string machine, string address, int port, int cpus, TimeSpan seen)
{
    public string NodeId { get; } = nodeId;

    public string Machine { get; } = machine;

    public string Address { get; } = address;

    public int Port { get; } = port;

    public int Cpus { get; } = cpus;

    /// <summary>CPU slots taken by the actors placed here that have not ended.</summary>
    public int Used { get; set; }

    public int Free => Cpus - Used;

    /// <summary>When the head last heard from the node (monotonic).</summary>
    public TimeSpan LastSeen { get; set; } = seen;

    public bool Alive { get; set; } = true;

    /// <summary>The agent's incarnation and registration session this node was registered for.</summary>
    public (int Incarnation, long Session) Registration { get; init; }
}

/// <summary>
/// Places actors on nodes by resources, as Ray's scheduler does for an actor with <c>num_cpus</c>: any live node with
/// enough free CPU slots, not one the request asks to avoid, chosen at random (Ray spreads actors over feasible nodes;
/// the draw comes from the process's seeded stream).
/// </summary>
public static class Scheduler
{
    /// <summary>The node to place on, or null when no live node has <paramref name="cpus"/> free slots.</summary>
    public static NodeEntry? Choose(IEnumerable<NodeEntry> nodes, int cpus, IReadOnlyCollection<string> avoid, Func<int, int> draw)
    {
        var feasible = nodes.Where(n => n.Alive && n.Free >= cpus).ToList();
        var preferred = feasible.Where(n => !avoid.Contains(n.Machine)).ToList();
        var pool = preferred.Count > 0 ? preferred : feasible;
        return pool.Count == 0 ? null : pool[draw(pool.Count)];
    }
}
