using Grpc.Core;
using Sim.Stack.Host;

namespace Sim.Stack.Register;

/// <summary>A replica recovered its state from disk and serves.</summary>
public sealed record ReplicaServing(bool Primary, int Keys) : SimEvent
{
    public override string Kind => "register.serving";

    public override string Details => $"role={(Primary ? "primary" : "backup")} keys={Keys}";
}

/// <summary>The primary could not get a write confirmed by the backup.</summary>
public sealed record ReplicationFailed(string Key, long Version, StatusCode Status, string Detail) : SimEvent
{
    public override string Kind => "register.replicate-failed";

    public override string Details => $"key={Key} version={Version}: {Status} {Detail}";
}

/// <summary>The primary gave a client's write its version (in memory: it is acknowledged once durable on both replicas).</summary>
public sealed record WriteApplied(string Key, long Version, string Value) : SimEvent
{
    public override string Kind => "register.write-applied";

    public override string Details => $"{Key}@v{Version}='{Value}'";
}

/// <summary>The backup took a replicated version (<paramref name="Applied"/>), or kept the newer one it had.</summary>
public sealed record ReplicaApplied(string Key, long Version, string Value, bool Applied) : SimEvent
{
    public override string Kind => "register.replica-applied";

    public override string Details => $"{Key}@v{Version}='{Value}'{(Applied ? "" : " ignored: not newer")}";
}

/// <summary>A replica refused a call its role or the caller's identity does not allow.</summary>
public sealed record RegisterCallRefused(string Method, string Caller, StatusCode Status, string Reason) : SimEvent
{
    public override string Kind => "register.refused";

    public override string Details => $"{Method} from {Caller}: {Status} {Reason}";
}

/// <summary>A client sent a write (exactly one <see cref="WriteAcknowledged"/> or <see cref="WriteFailed"/> follows).</summary>
public sealed record WriteStarted(string Key, string Value) : SimEvent
{
    public override string Kind => "register.write";

    public override string Details => $"{Key}='{Value}'";
}

/// <summary>A client's write was acknowledged: from now on no read may return an older version of the key.</summary>
public sealed record WriteAcknowledged(string Key, long Version, string Value) : SimEvent
{
    public override string Kind => "register.write-acked";

    public override string Details => $"{Key}@v{Version}='{Value}'";
}

/// <summary>A client's write failed: it may or may not have taken effect (nothing was promised).</summary>
public sealed record WriteFailed(string Key, string Value, StatusCode Status, string Detail) : SimEvent
{
    public override string Kind => "register.write-failed";

    public override string Details => $"{Key}='{Value}': {Status} {Detail}";
}

/// <summary>A client started a read (a checker takes the floor the read must reach here).</summary>
public sealed record ReadStarted(string Key) : SimEvent
{
    public override string Kind => "register.read";

    public override string Details => Key;
}

/// <summary>A client's read returned (from the primary, or from the backup when the primary was unreachable).</summary>
public sealed record ReadReturned(string Key, long Version, string Value, string ServedBy) : SimEvent
{
    public override string Kind => "register.read-returned";

    public override string Details => $"{Key}@v{Version}='{Value}' from {ServedBy}";
}

/// <summary>A client's read failed on both replicas (or on the primary with an error a fallback does not fix).</summary>
public sealed record ReadFailed(string Key, StatusCode Status, string Detail) : SimEvent
{
    public override string Kind => "register.read-failed";

    public override string Details => $"{Key}: {Status} {Detail}";
}

/// <summary>A client started a scan of every key under a prefix.</summary>
public sealed record ScanStarted(string Prefix) : SimEvent
{
    public override string Kind => "register.scan";

    public override string Details => $"prefix='{Prefix}'";
}

/// <summary>A client's scan returned these entries, in the order the primary streamed them.</summary>
public sealed record ScanReturned(string Prefix, IReadOnlyList<RegisterEntry> Entries) : SimEvent
{
    public override string Kind => "register.scan-returned";

    public override string Details => $"prefix='{Prefix}' {string.Join(' ', Entries)}";
}

/// <summary>A client's scan failed (the stream broke or was refused).</summary>
public sealed record ScanFailed(string Prefix, StatusCode Status, string Detail) : SimEvent
{
    public override string Kind => "register.scan-failed";

    public override string Details => $"prefix='{Prefix}': {Status} {Detail}";
}
