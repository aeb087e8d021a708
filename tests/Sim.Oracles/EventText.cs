using Sim.Stack.Host;

namespace Sim.Oracles;

/// <summary>
/// The check behind the event-text oracle cases: each typed event renders the kind and details its line in the event
/// log is documented to carry. The event log, `sim run`'s account and bug reports show these lines, and the log's hash
/// (same seed, same hash) is computed over them, so a changed line is a change users see.
/// </summary>
internal static class EventText
{
    public static void AssertReadAsDocumented((SimEvent Event, string Kind, string Details)[] lines)
    {
        var wrong = lines.Where(l => (l.Event.Kind, l.Event.Details) != (l.Kind, l.Details)).Select(l => $"{l.Event.GetType().Name}: '{l.Event.Kind}' '{l.Event.Details}', documented '{l.Kind}' '{l.Details}'").ToList();

        Assert.True(wrong.Count == 0, string.Join("\n", wrong));
    }
}
