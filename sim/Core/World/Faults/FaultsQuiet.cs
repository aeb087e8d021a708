using Sim.Stack.Host;

namespace Sim.Worlds;

/// <summary>The quiet point: faults stop, and what follows (the heals of every fault kind) puts the world right.</summary>
public sealed record FaultsQuiet : SimEvent
{
    public override string Kind => "fault.quiet";

    public override string Subject => "world";

    public override string Details => "faults stop; healing everything";
}
