using Sim.Stack.Host;

namespace Sim.Engine;

/// <summary>A run began (its subject is the scenario): the first line of every event log.</summary>
public sealed record RunStarted(string Engine, ulong Seed, string Strategy, string Defects) : SimEvent
{
    public override string Kind => "run.start";

    public override string Details => $"engine={Engine} seed={Seed} strategy={Strategy} defects={Defects}";
}

/// <summary>A run ended (its subject is the engine): the last line of every event log.</summary>
/// <param name="Exit">Why the engine stopped.</param>
/// <param name="Bug">Whether an invariant failed.</param>
/// <param name="Steps">Scheduling steps taken.</param>
/// <param name="Faults">Faults the injector drew.</param>
public sealed record RunEnded(LoopExit Exit, bool Bug, long Steps, int Faults) : SimEvent
{
    public override string Kind => "run.end";

    public override string Details => $"exit={Exit} verdict={(Bug ? "bug" : "ok")} steps={Steps} faults={Faults}";
}
