using Grpc.Core;
using Sim.Stack.Host;

namespace Sim.Stack.Heartbeat;

/// <summary>A heartbeat to a peer failed (it is not retried: the next beat goes to the next peer).</summary>
public sealed record HeartbeatMissed(StatusCode Status, string Detail) : SimEvent
{
    public override string Kind => "heartbeat.missed";

    public override string Details => $"{Status}: {Detail}";
}
