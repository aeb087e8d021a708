using Sim.Stack.Host;

namespace Sim.Worlds;

/// <summary>The faults a run is armed with, as its first fault event: the concrete profile (a swarm run's drawn one) and whether BUGGIFY is on.</summary>
/// <param name="Profile">The profile the injector draws from.</param>
/// <param name="Buggify">Whether BUGGIFY sites may fire.</param>
public sealed record FaultPlan(FaultProfile Profile, bool Buggify) : SimEvent
{
    public override string Kind => "fault.plan";

    public override string Subject => Profile.Name;

    public override string Details => $"buggify={(Buggify ? "on" : "off")} {Profile.Describe()}";
}
