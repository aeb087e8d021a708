using Sim.Stack.Host;

namespace Sim.Worlds;

/// <summary>A free-text line (<see cref="ILog.Info"/>, <see cref="ILog.Warn"/>): for people reading the log, never parsed back.</summary>
/// <param name="NoteKind">Its dotted kind (<c>log.x</c> or <c>warn.x</c>).</param>
/// <param name="Text">Its text.</param>
public sealed record Note(string NoteKind, string Text) : SimEvent
{
    public override string Kind => NoteKind;

    public override string Details => Text;
}
