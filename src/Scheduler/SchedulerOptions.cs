using Sim.Stack.Defects;
using Sim.Stack.Host;
using Sim.Stack.Rpc;

namespace Sim.Stack.Scheduler;

/// <summary>
/// Timing of the replicated scheduler. Upstream (client-go leader election, as Kuscia runs it): lease duration 15 s,
/// renew deadline 10 s, retry period 2 s; the defaults here keep those ratios at a tenth of the scale so a run of a
/// few virtual minutes sees many terms. client-go requires LeaseDuration &gt; RenewDeadline &gt; 1.2 × RetryPeriod.
/// </summary>
/// <param name="Defects">The defect switches on for this run.</param>
public sealed record SchedulerOptions(DefectSet Defects)
{
    /// <summary>How long followers wait, on their own clocks, after they last saw the lease change before taking it (upstream 15 s).</summary>
    public TimeSpan LeaseDuration { get; init; } = TimeSpan.FromSeconds(1.5);

    /// <summary>How long a leader keeps acting without a successful renewal (upstream 10 s).</summary>
    public TimeSpan RenewDeadline { get; init; } = TimeSpan.FromSeconds(1.0);

    /// <summary>How often candidates try to acquire and leaders to renew (upstream 2 s).</summary>
    public TimeSpan RetryPeriod { get; init; } = TimeSpan.FromSeconds(0.2);

    /// <summary>The deadline of one call to the store.</summary>
    public TimeSpan CallTimeout { get; init; } = TimeSpan.FromSeconds(0.3);

    /// <summary>How often the leader reconciles (places, commits, marks workers).</summary>
    public TimeSpan Tick { get; init; } = TimeSpan.FromSeconds(0.1);

    /// <summary>How often a worker heartbeats.</summary>
    public TimeSpan HeartbeatInterval { get; init; } = TimeSpan.FromSeconds(0.25);

    /// <summary>How long without a heartbeat (on the leader's clock) before a worker is marked unhealthy (three missed beats and a bit).</summary>
    public TimeSpan UnhealthyAfter { get; init; } = TimeSpan.FromSeconds(0.9);

    /// <summary>How long a ready task may wait for a machine before it fails as unschedulable (Kuscia's lifecycle bound; 60 s scaled).</summary>
    public TimeSpan LifecycleBound { get; init; } = TimeSpan.FromSeconds(6);

    /// <summary>Checks client-go's ordering of the three durations.</summary>
    public void Validate()
    {
        if (LeaseDuration <= RenewDeadline || RenewDeadline <= RetryPeriod * 1.2)
        {
            throw new ArgumentException($"leader election needs LeaseDuration > RenewDeadline > 1.2 × RetryPeriod (got {LeaseDuration}, {RenewDeadline}, {RetryPeriod})");
        }
    }
}

/// <summary>Where a replica, worker or client finds the store and the replicas, and how it dials them.</summary>
/// <param name="Store">The store's DNS name.</param>
/// <param name="Port">The port every scheduler process serves on.</param>
/// <param name="Dial">TLS options to dial a server name with (the caller's certificate for mTLS).</param>
public sealed record SchedulerEndpoints(string Store, int Port, Func<string, TlsClientOptions?> Dial)
{
    /// <summary>A client of the party's store over its own channel, dialed as <see cref="Dial"/> says.</summary>
    public Contracts.Store.StoreClient StoreClient(IHost host) => new(new RpcChannel(host, Store, Port, Dial(Store)));
}
