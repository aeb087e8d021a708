using Sim.Worlds;

namespace Sim.Scenarios;

/// <summary>What a service or client made in one call may change from what the kit derives.</summary>
public sealed record ServiceOptions
{
    /// <summary>The service asks clients for a certificate from a trusted site authority (mTLS).</summary>
    public bool MutualTls { get; init; }

    /// <summary>How long a TLS session with the service lives before it must be renegotiated (null: forever).</summary>
    public TimeSpan? SessionLifetime { get; init; }

    /// <summary>How long each certificate the service is issued (at start and at every rotation) stays valid.</summary>
    public TimeSpan CertificateValidity { get; init; } = TimeSpan.FromDays(30);

    /// <summary>Whether the fault injector may kill, pause or restart it (default: services yes, clients no).</summary>
    public bool? Killable { get; init; }

    /// <summary>Start the process at time zero (false: a script or a timeline starts it).</summary>
    public bool Start { get; init; } = true;

    /// <summary>The DNS name (default <c>name.site</c>).</summary>
    public string? DnsName { get; init; }

    /// <summary>Place the process on this existing machine instead of a machine of its own.</summary>
    public Machine? On { get; init; }
}
