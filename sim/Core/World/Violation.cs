using Sim.Stack.Host;

namespace Sim.Worlds;

/// <summary>An invariant that failed, with where and when. Also the event that ends the run's log.</summary>
/// <param name="Invariant">The invariant's name.</param>
/// <param name="Message">What was seen.</param>
/// <param name="Time">Virtual time of the violation.</param>
/// <param name="Step">Scheduling step of the violation.</param>
public sealed record Violation(string Invariant, string Message, TimeSpan Time, long Step) : SimEvent
{
    public override string Kind => "invariant.violated";

    public override string Subject => Invariant;

    public override string Details => Message;
}
