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

/// <summary>A client's write was acknowledged: from now on no read may return an older version of the key.</summary>
public sealed record WriteAcknowledged(string Key, long Version, string Value) : SimEvent
{
    public override string Kind => "register.write-acked";

    public override string Details => $"{Key}@v{Version}='{Value}'";
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
