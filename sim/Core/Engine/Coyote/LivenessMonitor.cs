using Microsoft.Coyote.Specifications;

namespace Sim.Engine.Coyote;

/// <summary>
/// The scenario's liveness invariants as a Coyote monitor. Before the quiet point nothing is owed (cold).
/// After it, the monitor is hot while some liveness invariant does not hold yet, and cold once they all
/// do. Coyote reports a liveness bug when a fair iteration ends hot, or stays hot past its temperature
/// threshold (a livelock that never reaches the horizon).
/// </summary>
public sealed class LivenessMonitor : Microsoft.Coyote.Specifications.Monitor
{
    /// <summary>Some liveness invariant does not hold yet.</summary>
    public sealed class Owed : Event
    {
        public static Owed Instance { get; } = new();
    }

    /// <summary>Every liveness invariant holds.</summary>
    public sealed class Met : Event
    {
        public static Met Instance { get; } = new();
    }

    [Start]
    [Cold]
    [OnEventGotoState(typeof(Owed), typeof(Waiting))]
    [IgnoreEvents(typeof(Met))]
    private sealed class Faulting : State
    {
    }

    [Hot]
    [OnEventGotoState(typeof(Met), typeof(Satisfied))]
    [IgnoreEvents(typeof(Owed))]
    private sealed class Waiting : State
    {
    }

    [Cold]
    [OnEventGotoState(typeof(Owed), typeof(Waiting))]
    [IgnoreEvents(typeof(Met))]
    private sealed class Satisfied : State
    {
    }
}
