namespace Sim.Stack.Psi;

/// <summary>The kinds of a PSI actor's failure (the <c>ActorFailure.ErrorKind</c> drivers and checkers branch on).</summary>
public static class PsiErrors
{
    /// <summary>The input file is missing, empty, malformed or has duplicates (before any traffic).</summary>
    public const string BadInput = "bad-input";

    /// <summary>The two sides disagree on the protocol version, curve, receiver or batch size.</summary>
    public const string Mismatch = "protocol-mismatch";

    /// <summary>The link server could not bind its address.</summary>
    public const string Bind = "bind";

    /// <summary>The peer reported its own failure (FedRemoteError).</summary>
    public const string Remote = "remote";

    /// <summary>A receive waited the whole receive timeout.</summary>
    public const string Timeout = "receive-timeout";

    /// <summary>Every try of a push failed: the peer's link is unreachable.</summary>
    public const string Unreachable = "peer-unreachable";

    /// <summary>The peer started a later attempt: this one is over.</summary>
    public const string PeerMovedOn = "peer-moved-on";

    /// <summary>The peer sent something the protocol does not allow (a malformed batch, a point off the curve).</summary>
    public const string Protocol = "protocol-error";

    /// <summary>The peer reported a failure after which it will not retry.</summary>
    public const string RemoteFinal = "remote-final";

    /// <summary>Kinds that come from the peer's side rather than from this party's own actor.</summary>
    public static bool IsPeerCaused(string kind) => kind is Remote or RemoteFinal or PeerMovedOn;

    /// <summary>Kinds after which a retry cannot help: the input or the configuration is wrong, or the peer gave up.</summary>
    public static bool IsFinal(string kind) => kind is BadInput or Mismatch or RemoteFinal;
}

/// <summary>The peer's failure as this party learns it: upstream's <c>FedRemoteError</c>.</summary>
public sealed class FedRemoteError(string party, string machine, string kind, string cause)
    : Exception($"FedRemoteError: party {party} failed on {machine} ({kind}): {cause}")
{
    public string Party { get; } = party;

    public string Machine { get; } = machine;

    public string Kind { get; } = kind;

    public string Cause { get; } = cause;

    /// <summary>The failing party will not retry.</summary>
    public bool Final { get; init; }
}
