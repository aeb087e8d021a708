namespace Sim.Worlds;

/// <summary>A fault kind whose faults hold for a while: its <see cref="Lasting"/> knob, checked and described once for all of them.</summary>
public abstract record LastingFaultKind : FaultKind
{
    /// <param name="lasting">The kind's default for <see cref="Lasting"/>.</param>
    protected LastingFaultKind(DurationRange lasting)
    {
        Lasting = lasting;
    }

    /// <summary>How long one fault of this kind holds before it is undone (or ends by itself).</summary>
    public DurationRange Lasting { get; init; }

    protected override string Knobs => $"lasting {Lasting}";

    public override void Validate()
    {
        base.Validate();
        Lasting.Validate(Name, nameof(Lasting));
    }
}
