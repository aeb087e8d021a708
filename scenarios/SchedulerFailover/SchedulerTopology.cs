using Sim.Stack.Scheduler;

namespace Sim.Scenarios.SchedulerFailover;

/// <summary>
/// Who runs where in scheduler-failover: one party (site <c>party-alice</c>) with its store, three scheduler replicas,
/// three to five worker machines, two users and an intruder (a valid certificate of the party, but neither replica
/// nor worker). Every process's DNS name is its process name, which is also its certificate's name, so a lease
/// holder's name is an address a client can dial.
/// </summary>
public sealed class SchedulerTopology
{
    public const string Site = "party-alice";
    public const int Port = 8083;
    public const int ReplicaCount = 3;

    /// <summary>The most CPUs a worker machine has.</summary>
    public const int MaxCpus = 8;

    public Live<SchedulerStore>? Store { get; set; }

    public List<Live<SchedulerReplica>> Replicas { get; } = [];

    public List<Live<WorkerAgent>> Workers { get; } = [];

    /// <summary>Each worker's CPUs, by name.</summary>
    public Dictionary<string, int> Cpus { get; } = new(StringComparer.Ordinal);

    public List<Live<JobSubmitter>> Users { get; } = [];

    /// <summary>The user who submits one small job once the faults have stopped (null in a scenario without one).</summary>
    public Live<JobSubmitter>? Canary { get; set; }

    public IReadOnlyList<string> ReplicaNames => [.. Replicas.Select(r => r.Name)];

    /// <summary>Whether the store also trusts <see cref="RogueReplica.Name"/>, a replica that never campaigns and writes at every rule's edges.</summary>
    public bool Rogue { get; set; }

    /// <summary>Whom the store trusts as a replica (the replicas, and the rogue where there is one), as the party gave it to the store.</summary>
    public IReadOnlySet<string> StoreReplicas { get; set; } = new HashSet<string>();

    /// <summary>Whom the store trusts as a worker, as the party gave it to the store.</summary>
    public IReadOnlySet<string> StoreWorkers { get; set; } = new HashSet<string>();

    /// <summary>How a process dials the party's servers: mTLS with its own certificate.</summary>
    public static SchedulerEndpoints Endpoints(Live me) => new("store", Port, me.TlsTo);

    /// <summary>The replica whose incarnation leads now (its renew deadline not passed), or null.</summary>
    public Live<SchedulerReplica>? Leader => Replicas.FirstOrDefault(r => r.Current is { } replica && replica.Elector.Holds(out _));
}
