using Sim.Stack.Host;
using Sim.Worlds;

namespace Sim.Scenarios;

/// <summary>A script asked for a fault after the quiet point, when faults stop: it was not applied (its subject is the script).</summary>
/// <param name="Action">The fault the script asked for.</param>
public sealed record FaultSkipped(FaultAction Action) : SimEvent
{
    public override string Kind => "fault.skipped";

    public override string Details => $"{Action.Kind} {Action.Subject} {Action.Details}";
}
