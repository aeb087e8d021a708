using Sim.Stack.Fleet;

namespace Sim.Scenarios.Fleet;

/// <summary>What the fleet checkers watch: the coordinator, the honest nodes and their keys, the driver and the probers.</summary>
/// <param name="Coordinator">The coordinator (SuperLink).</param>
/// <param name="Nodes">The honest nodes (SuperNodes).</param>
/// <param name="Keys">Each honest node's public key (hex), by process name.</param>
/// <param name="Driver">The driver submitting work, if any.</param>
/// <param name="Probers">The probing clients.</param>
/// <param name="Durable">Whether the coordinator keeps its state on disk.</param>
/// <param name="PingInterval">The interval nodes promise to ping within.</param>
/// <param name="PullInterval">The time between a node's task pulls.</param>
public sealed record FleetTopology(
    Live<Coordinator> Coordinator,
    IReadOnlyList<Live<FleetNode>> Nodes,
    IReadOnlyDictionary<string, string> Keys,
    Live<FleetDriver>? Driver,
    IReadOnlyList<Live<Prober>> Probers,
    bool Durable,
    TimeSpan PingInterval,
    TimeSpan PullInterval)
{
    /// <summary>The honest node process holding <paramref name="key"/>, or null.</summary>
    public Live<FleetNode>? NodeOf(string key) => Nodes.FirstOrDefault(n => Keys[n.Name] == key);

    /// <summary>The honest node process named <paramref name="name"/>, or null.</summary>
    public Live<FleetNode>? Node(string name) => Nodes.FirstOrDefault(n => n.Name == name);
}
