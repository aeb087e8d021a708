using Sim.Stack.Host;

namespace Sim.Stack.Cluster;

/// <summary>
/// How a party's cluster runs, configured like upstream's Ray cluster: the head's address and port, the TLS every
/// member serves and dials with (the party's certificate), and the health-check knobs. Times default to Ray's
/// (a health check every second, a node declared dead after 5 missed) scaled by the scenario.
/// </summary>
/// <param name="Party">The party the cluster belongs to (also the server name of its members' certificate).</param>
/// <param name="HeadAddress">The head machine's address (the party's advertised address lives there).</param>
/// <param name="HeadPort">The head's control port (Ray's GCS port, 6379 upstream).</param>
/// <param name="ServerTls">What every member serves with: the party's certificate, clients verified (mTLS).</param>
/// <param name="DialTls">How members dial each other: the party's name as server name, with the party's certificate.</param>
public sealed record ClusterOptions(string Party, string HeadAddress, int HeadPort, TlsServerOptions ServerTls, TlsClientOptions DialTls)
{
    /// <summary>The node agents' port (Ray's raylet/node manager port).</summary>
    public int NodePort { get; init; } = 6380;

    /// <summary>How often a node agent heartbeats to the head.</summary>
    public TimeSpan HeartbeatInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Heartbeats a node may miss before the head declares it dead and fails its actors (Ray: 5).</summary>
    public int MissedHeartbeats { get; init; } = 5;

    /// <summary>How long an actor waits for a node with free CPU slots before it fails as unschedulable.</summary>
    public TimeSpan PlacementTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>The deadline of one control call (register, heartbeat, start, report).</summary>
    public TimeSpan CallTimeout { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>The silence after which a node is dead (or, seen from a node, the head is lost).</summary>
    public TimeSpan NodeTimeout => HeartbeatInterval * MissedHeartbeats;
}
