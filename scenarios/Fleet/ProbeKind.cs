namespace Sim.Scenarios.Fleet;

/// <summary>
/// What a probe tries, at and beyond both edges of every rule of node authentication (allow-listed key, signature
/// over a timestamp, timestamp within 10 s + 5 s of the coordinator's clock, either way 5 s of drift) and of TLS
/// (server name, certificate validity), and of ownership (an allow-listed key acting on a node it does not hold). The
/// security checker holds each answer against the outcome the rule gives, and each rejection against the reason the
/// coordinator logged for it.
/// </summary>
public enum ProbeKind
{
    /// <summary>Its own allow-listed key, a timestamp 14 s old by its clock: inside the window (accepted).</summary>
    PastInside,

    /// <summary>A timestamp 16 s old: outside the window (rejected).</summary>
    PastOutside,

    /// <summary>A timestamp 4 s ahead: inside the drift allowance (accepted).</summary>
    FutureInside,

    /// <summary>A timestamp 6 s ahead: beyond the drift allowance (rejected).</summary>
    FutureOutside,

    /// <summary>A timestamp 30 s old, a stale replay (rejected).</summary>
    FarPast,

    /// <summary>A timestamp an hour ahead (rejected).</summary>
    FarFuture,

    /// <summary>An honest node's authentication metadata captured about 4 s earlier, sent again: inside the window (accepted; upstream has no nonce).</summary>
    ReplayInside,

    /// <summary>An honest node's metadata captured 27 s earlier (outside the window even across skewed clocks), sent again to delete that node (rejected).</summary>
    ReplayOutside,

    /// <summary>A key outside the allow-list, correctly signed, asking to register (rejected).</summary>
    ForeignKey,

    /// <summary>An honest node's key with a signature made by another key, pulling that node's work (rejected).</summary>
    ForgedSignature,

    /// <summary>An honest node's key with its signature's last bit flipped, pinging for that node (rejected).</summary>
    CorruptSignature,

    /// <summary>A signature cut short (rejected).</summary>
    TruncatedSignature,

    /// <summary>No authentication metadata at all (rejected).</summary>
    MissingMetadata,

    /// <summary>A validly signed timestamp that is not a number (rejected).</summary>
    MalformedTimestamp,

    /// <summary>Its own key and timestamp, the signature left out (rejected: missing metadata).</summary>
    MissingSignature,

    /// <summary>Its own key and a signature, the timestamp left out (rejected: missing metadata).</summary>
    MissingTimestamp,

    /// <summary>A timestamp and its signature, the public key left out (rejected: missing metadata).</summary>
    MissingKey,

    /// <summary>Its own allow-listed key, validly signed, deleting an honest node's registration (accepted, and ignored: the key does not hold it).</summary>
    DeleteForeign,

    /// <summary>Its own allow-listed key, validly signed, pushing a result in an honest node's name (accepted, and ignored).</summary>
    PushForeign,

    /// <summary>Its own allow-listed key, validly signed, asking for a run nobody created (NotFound, naming the run).</summary>
    UnknownRun,

    /// <summary>Dials the coordinator by its address, not its name: TLS server-name verification fails.</summary>
    NameMismatch,

    /// <summary>Dials a server whose certificate expired: the handshake fails.</summary>
    ExpiredCertificate,

    /// <summary>Dials a server whose certificate is not valid yet: the handshake fails.</summary>
    NotYetValidCertificate,
}
