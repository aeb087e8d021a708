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

    /// <summary>The insider registers a node of its own at the head.</summary>
    HeadRegisterInsider,

    /// <summary>The insider heartbeats for the head's first node.</summary>
    HeadHeartbeatInsider,

    /// <summary>The insider asks the head for the party's actor's state.</summary>
    HeadWaitInsider,

    /// <summary>The insider reports the party's actor failed on the head machine.</summary>
    HeadExitedInsider,

    /// <summary>The insider asks the head machine's node agent to start an actor.</summary>
    NodeInsider,

    /// <summary>The party's own identity asks the head machine's node agent to start an actor for a node id it never had (a placement from before a head restart): refused, nothing starts.</summary>
    NodeStalePlacement,

    /// <summary>The insider asks the head to kill the party's actor.</summary>
    HeadKillInsider,

    /// <summary>The insider asks the head machine's node agent to stop the party's actor.</summary>
    NodeStopInsider,

    /// <summary>The party's own identity asks the head machine's node agent to stop the party's actor for a node id it never had (a stop from before a head restart): refused, nothing stops.</summary>
    NodeStaleStop,

    /// <summary>The party's own identity reports the party's actor failed on a machine it does not run on: answered, and ignored (the actor does not end).</summary>
    HeadExitedElsewhere,
}
