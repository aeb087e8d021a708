using Sim.Stack.Host;

namespace Sim.Worlds;

/// <summary>A machine joined the world (its subject is the machine).</summary>
public sealed record MachineAdded(string Site, IReadOnlyList<string> Addresses) : SimEvent
{
    public override string Kind => "world.machine";

    public override string Details => $"site={Site} addresses={string.Join(',', Addresses)}";
}

/// <summary>A machine's wall clock was set off true time by <paramref name="Skew"/> (zero: back in step).</summary>
public sealed record ClockSkewed(TimeSpan Skew) : SimEvent
{
    public override string Kind => "clock.skew";

    public override string Details => $"skew={Skew.TotalSeconds:F3}s";
}
