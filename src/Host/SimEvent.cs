using System.Text;

namespace Sim.Stack.Host;

/// <summary>
/// Something that happened, as a typed record: the stack reports its events through
/// <see cref="ILog.Event"/>, the world its own; the event log renders and hashes them, and checkers,
/// accounts and reports subscribe to the types, never to the rendered text.
/// </summary>
/// <remarks>
/// A derived record names its <see cref="Kind"/> (a short dotted name, e.g. <c>fleet.node-created</c>) and
/// may override <see cref="Details"/>; by default the details are the record's own members as C# prints
/// them (<c>Node = 5, Key = 3f2a…</c>). Override it where a member is a collection or where a terser line reads
/// better, and override <see cref="AppendDetails"/> too on hot paths.
/// </remarks>
public abstract record SimEvent
{
    /// <summary>The event's kind as the event log prints it.</summary>
    public abstract string Kind { get; }

    /// <summary>Who it happened to, when not the process that reports it (a link, a connection, a site).</summary>
    public virtual string? Subject => null;

    /// <summary>The event's details as the event log prints them.</summary>
    public virtual string Details
    {
        get
        {
            var builder = new StringBuilder();
            PrintMembers(builder);
            return builder.ToString();
        }
    }

    /// <summary>
    /// Appends <see cref="Details"/> to <paramref name="builder"/>: how the event log renders an event. Hot-path
    /// events (a frame delivered) override it to write their fields without building a string first.
    /// </summary>
    public virtual void AppendDetails(StringBuilder builder) => builder.Append(Details);

    /// <summary>Keeps <see cref="Kind"/>, <see cref="Subject"/> and <see cref="Details"/> out of the printed members.</summary>
    protected virtual bool PrintMembers(StringBuilder builder) => false;
}
