using System.Security.Cryptography;
using System.Text;
using Sim.Stack.Host;

namespace Sim.Stack.Psi;

/// <summary>A party's job starts an attempt: the driver asks its head for a PSI actor.</summary>
public sealed record PsiAttemptStarted(string Party, int Attempt, string ActorId) : SimEvent
{
    public override string Kind => "psi.attempt-started";

    public override string Details => $"{Party} attempt {Attempt}: actor {ActorId}";
}

/// <summary>An actor read its input (before any traffic): how many items.</summary>
public sealed record PsiInputRead(string Party, int Attempt, int Items) : SimEvent
{
    public override string Kind => "psi.input";

    public override string Details => $"{Party} attempt {Attempt}: {Items} item(s)";
}

/// <summary>The actor's link server is bound: where it listens and on which machine.</summary>
public sealed record LinkBound(string Party, int Attempt, string Machine, string Address, int Port) : SimEvent
{
    public override string Kind => "psi.link-bound";

    public override string Details => $"{Party} attempt {Attempt} on {Machine} at {Address}:{Port}";
}

/// <summary>Both sides agreed on the protocol (version, curve, receivers, batch size).</summary>
public sealed record PsiHandshake(string Party, int Attempt, string Version, string Curve, string Receivers, int BatchSize) : SimEvent
{
    public override string Kind => "psi.handshake";

    public override string Details => $"{Party} attempt {Attempt}: {Version} {Curve} result to {Receivers} batches of {BatchSize}";
}

/// <summary>A batch of masked points left: <paramref name="Key"/> is masked/N (own points) or dual/N (the peer's, double-masked).</summary>
public sealed record PsiBatchSent(string Party, int Attempt, string Key, int Points) : SimEvent
{
    public override string Kind => "psi.batch";

    public override string Details => $"{Party} attempt {Attempt} {Key}: {Points} point(s){(Points == 0 ? " (end of stream)" : "")}";
}

/// <summary>An actor finished its part; a receiver's <paramref name="Intersection"/> is the result, null for the other side.</summary>
public sealed record PsiAttemptSucceeded(string Party, int Attempt, string Machine, IReadOnlyList<string>? Intersection) : SimEvent
{
    public override string Kind => "psi.succeeded";

    public override string Details => Intersection is null
        ? $"{Party} attempt {Attempt} on {Machine}: done (not a receiver)"
        : $"{Party} attempt {Attempt} on {Machine}: {Intersection.Count} item(s) in the intersection, sha256={Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(string.Join('\n', Intersection.Order(StringComparer.Ordinal)))))[..12]}";
}

/// <summary>The driver saw its attempt fail: where, why, of which kind.</summary>
public sealed record PsiAttemptFailed(string Party, int Attempt, string Machine, string ErrorKind, string Cause) : SimEvent
{
    public override string Kind => "psi.attempt-failed";

    public override string Details => $"{Party} attempt {Attempt} on {(Machine.Length == 0 ? "no machine" : Machine)} ({ErrorKind}): {Cause}";
}

/// <summary>
/// The driver killed the actor of an attempt it gave up on while the head did not answer (Ray's ray.kill): the head
/// confirmed it (the actor will never start, or was stopped), or the head stayed silent for the node timeout.
/// </summary>
public sealed record PsiActorKilled(string Party, int Attempt, string ActorId, bool Confirmed, string Detail) : SimEvent
{
    public override string Kind => "psi.actor-killed";

    public override string Details => $"{Party} attempt {Attempt} {ActorId}: {(Confirmed ? "killed" : $"not confirmed: {Detail}")}";
}

/// <summary>The driver told the peer of its failure (a FedRemoteError), or tried to and could not.</summary>
public sealed record RemoteErrorSent(string Party, string Peer, int Attempt, bool Delivered, string Detail) : SimEvent
{
    public override string Kind => "psi.remote-error-sent";

    public override string Details => $"{Party} -> {Peer} attempt {Attempt}: {(Delivered ? "delivered" : "not delivered")}: {Detail}";
}

/// <summary>The peer's failure reached this party's actor: the failing party, its machine, the cause.</summary>
public sealed record RemoteErrorReceived(string Party, int Attempt, string From, string Machine, string ErrorKind, string Cause, bool Final) : SimEvent
{
    public override string Kind => "psi.remote-error";

    public override string Details => $"{Party} attempt {Attempt}: FedRemoteError from {From} on {Machine} ({ErrorKind}{(Final ? ", final" : "")}): {Cause}";
}

/// <summary>A party's job is over: it completed, or failed for the last time.</summary>
public sealed record PsiJobEnded(string Party, bool Completed, int Attempts, string ErrorKind, string Cause) : SimEvent
{
    public override string Kind => "psi.job-ended";

    public override string Details => Completed ? $"{Party} completed after {Attempts} attempt(s)" : $"{Party} failed after {Attempts} attempt(s) ({ErrorKind}): {Cause}";
}

/// <summary>The link refused a push: who called, what they claimed, why.</summary>
public sealed record LinkPushRefused(string Party, string Caller, string Claimed, string Reason) : SimEvent
{
    public override string Kind => "psi.push-refused";

    public override string Details => $"{Party} refused a push from '{Caller}' (claims {Claimed}): {Reason}";
}
