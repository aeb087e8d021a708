using System.Globalization;

namespace Sim.Worlds;

/// <summary>A fault knob for how long something lasts: drawn uniformly in [<paramref name="Min"/>, <paramref name="Max"/>].</summary>
/// <param name="Min">The shortest duration drawn.</param>
/// <param name="Max">The longest duration drawn (at least <paramref name="Min"/>).</param>
public sealed record DurationRange(TimeSpan Min, TimeSpan Max)
{
    /// <summary>A duration in [Min, Max] from <paramref name="rng"/>.</summary>
    public TimeSpan Draw(Rng rng) => rng.Between(Min, Max);

    /// <summary>Throws, naming <paramref name="knob"/> of <paramref name="kind"/>, unless 0 &lt;= Min &lt;= Max.</summary>
    public void Validate(string kind, string knob)
    {
        if (Min < TimeSpan.Zero || Max < Min)
        {
            throw new ArgumentException($"fault kind '{kind}': {knob} must satisfy 0 <= min <= max (got {this})");
        }
    }

    /// <summary>
    /// A range for a swarm run: its minimum uniformly in [<paramref name="lowest"/>, <paramref name="highest"/>],
    /// its maximum that plus up to <paramref name="spread"/>.
    /// </summary>
    public static DurationRange Swarm(Rng rng, TimeSpan lowest, TimeSpan highest, TimeSpan spread)
    {
        var min = rng.Between(lowest, highest);
        return new DurationRange(min, min + rng.Between(TimeSpan.Zero, spread));
    }

    public static DurationRange Seconds(double min, double max) => new(TimeSpan.FromSeconds(min), TimeSpan.FromSeconds(max));

    public override string ToString() => $"{Format(Min)}-{Format(Max)}s";

    private static string Format(TimeSpan t) => t.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture);
}
