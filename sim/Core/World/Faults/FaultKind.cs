using System.Globalization;

namespace Sim.Worlds;

/// <summary>What every fault kind shares: the rate knob, its check, its line of description and the swarm rate draw.</summary>
public abstract record FaultKind : IFaultKind
{
    public abstract string Name { get; }

    public abstract string Description { get; }

    /// <inheritdoc/>
    public double PerMinute { get; init; }

    /// <summary>The kind's other knobs on one line, for <see cref="Describe"/>.</summary>
    protected virtual string Knobs => "";

    public virtual void Validate()
    {
        if (PerMinute < 0 || !double.IsFinite(PerMinute))
        {
            throw new ArgumentException($"fault kind '{Name}': {nameof(PerMinute)} must be a finite rate >= 0 (got {PerMinute})");
        }
    }

    public abstract FaultAction? Draw(World world, Rng rng);

    public virtual IEnumerable<FaultAction> Heal(World world) => [];

    public abstract IFaultKind Swarm(Rng rng);

    public string Describe()
    {
        var rate = $"{Name} {PerMinute.ToString("0.##", CultureInfo.InvariantCulture)}/min";
        return Knobs.Length == 0 ? rate : $"{rate} {Knobs}";
    }

    /// <summary>A swarm rate: uniform in [<paramref name="min"/>, <paramref name="max"/>] per virtual minute, to the hundredth.</summary>
    protected static double SwarmRate(Rng rng, double min, double max) => Math.Round(min + (rng.NextDouble() * (max - min)), 2);
}
