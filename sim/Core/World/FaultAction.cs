using System.Text;
using Sim.Stack.Host;

namespace Sim.Worlds;

/// <summary>
/// One fault, the same record whether a script schedules it or the fault injector draws it. Each is a typed
/// event: the event log records it as applied (kind <c>fault.&lt;verb&gt;</c>, its target as the subject, and
/// its <see cref="Origin"/>), and reports and checkers subscribe to the types. Applying it changes the world
/// and returns the action that undoes it, if any; when <see cref="Lasts"/> is set, the injector applies that
/// undo so much later (unless the quiet point, which heals everything, comes first). Each fault family
/// declares its actions beside its kind (<see cref="IFaultKind"/>), in the kind's own file.
/// </summary>
public abstract partial record FaultAction : SimEvent
{
    /// <summary>Who applied it: a script, the injector's draw, the undo of an earlier fault, or the quiet point.</summary>
    public FaultOrigin Origin { get; init; } = FaultOrigin.Scripted;

    /// <summary>How long the fault holds before its undo is applied; null: until something else undoes it (the quiet point at the latest).</summary>
    public TimeSpan? Lasts { get; init; }

    public sealed override string Kind => "fault." + Verb;

    /// <summary>The target: a process, a machine, a link <c>from-&gt;to</c>, a name, a connection.</summary>
    public abstract override string Subject { get; }

    public override string Details
    {
        get
        {
            var text = new StringBuilder(Arguments);
            if (Lasts is { } lasts)
            {
                text.Append(text.Length > 0 ? " " : "").Append("for ").Append(Seconds(lasts));
            }

            return text.Append(text.Length > 0 ? " " : "").Append('(').Append(OriginText).Append(')').ToString();
        }
    }

    /// <summary>The action's name in its event kind: <c>kill</c>, <c>partition</c>, <c>disk-stall</c>.</summary>
    protected abstract string Verb { get; }

    /// <summary>What the event log prints after the subject, besides <see cref="Lasts"/> and <see cref="Origin"/>.</summary>
    protected virtual string Arguments => "";

    private string OriginText => Origin switch
    {
        FaultOrigin.Scripted => "scripted",
        FaultOrigin.Drawn => "drawn",
        FaultOrigin.Undo => "undo",
        FaultOrigin.Quiet => "quiet point",
        _ => throw new InvalidOperationException($"unknown fault origin {Origin}"),
    };

    /// <summary>Applies the fault to the world; returns the action that undoes it, or null when nothing needs undoing.</summary>
    public abstract FaultAction? Apply(World world);

    /// <summary>Whether applying it now would change anything: an undo that something else already did is skipped.</summary>
    public virtual bool Applies(World world) => true;

    /// <summary>A duration as the event log prints it: seconds to the millisecond.</summary>
    protected static string Seconds(TimeSpan t) => $"{t.TotalSeconds.ToString("F3", System.Globalization.CultureInfo.InvariantCulture)}s";

    /// <summary>Runs arbitrary world code (a scenario-specific fault in a script).</summary>
    public sealed record Custom(string Name, Action<World> Action) : FaultAction
    {
        public override string Subject => Name;

        protected override string Verb => "custom";

        public override FaultAction? Apply(World world)
        {
            Action(world);
            return null;
        }
    }
}
