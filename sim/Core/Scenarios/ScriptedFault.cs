using Sim.Stack.Host;
using Sim.Worlds;

namespace Sim.Scenarios;

/// <summary>
/// A script applied a fault (its subject is the script). Logged before the fault's own events, so a reader of
/// the log, or a timeline, tells scripted faults from injected ones.
/// </summary>
/// <param name="Action">The fault, in the same vocabulary as timelines and the injector.</param>
/// <param name="Skipped">It came after the quiet point, when faults stop, and was not applied.</param>
public sealed record ScriptedFault(FaultAction Action, bool Skipped) : SimEvent
{
    public override string Kind => "fault.scripted";

    public override string Details => Skipped ? $"{Action} (skipped: after the quiet point)" : Action.ToString();
}
