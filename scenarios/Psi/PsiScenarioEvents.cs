using Grpc.Core;
using Sim.Stack.Host;

namespace Sim.Scenarios.Psi;

/// <summary>What a probe of the hostile client got: its kind, its target, the status and (for a TLS refusal) the failure.</summary>
public sealed record ProbeAnswered(ProbeKind Probe, string Target, StatusCode Status, TlsFailure? Tls, string Detail) : SimEvent
{
    public override string Kind => "psi.probe";

    public override string Details => $"{Probe} at {Target}: {Status}{(Tls is { } t ? $" (TLS {t})" : "")}: {Detail}";
}

/// <summary>The hostile client's probes: each breaks one rule of a party's link or head.</summary>
public enum ProbeKind
{
    /// <summary>A certificate naming the peer party, from an authority the party does not trust for its link.</summary>
    LinkForeignAuthority,

    /// <summary>A certificate from the peer's authority naming someone who is not the peer.</summary>
    LinkNotThePeer,

    /// <summary>A certificate from the peer's authority naming a prefix of the peer's name (the edge of the name check).</summary>
    LinkPrefixOfPeer,

    /// <summary>No client certificate at all.</summary>
    LinkNoCertificate,

    /// <summary>The peer's certificate at the party's head: the cluster trusts only its own authority.</summary>
    HeadPeerCertificate,

    /// <summary>A certificate from the party's own authority that is not the party's (an insider without the cluster's identity).</summary>
    HeadInsider,
}
