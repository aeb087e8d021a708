using Sim.Stack.Host;

namespace Sim.Worlds;

/// <summary>One event of the log as recorded: the typed event, stamped with when and to whom it happened.</summary>
/// <param name="Step">The scheduling step it happened in.</param>
/// <param name="Time">Virtual time.</param>
/// <param name="Subject">Who: the reporting process, a machine, a link <c>from-&gt;to</c>, a connection.</param>
/// <param name="Event">What happened.</param>
public sealed record LoggedEvent(long Step, TimeSpan Time, string Subject, SimEvent Event)
{
    /// <summary>The event's dotted kind, as its line prints it.</summary>
    public string Kind => Event.Kind;

    /// <summary>The rest of the line, as its line prints it.</summary>
    public string Details => Event.Details;
}
