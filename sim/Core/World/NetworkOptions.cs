namespace Sim.Worlds;

/// <summary>How a link delays a frame: <c>Base</c> plus an exponential tail with mean <c>Mean</c>, capped at <c>Max</c>.</summary>
/// <param name="Base">Fixed one-way propagation delay.</param>
/// <param name="Mean">Mean of the exponential queueing delay added to it.</param>
/// <param name="Max">Upper bound on the whole one-way delay.</param>
public sealed record LatencyDistribution(TimeSpan Base, TimeSpan Mean, TimeSpan Max)
{
    /// <summary>A data-centre link: 1 ms plus an exponential tail of mean 2 ms, capped at 50 ms.</summary>
    public static LatencyDistribution Default { get; } = new(TimeSpan.FromMilliseconds(1), TimeSpan.FromMilliseconds(2), TimeSpan.FromMilliseconds(50));

    public TimeSpan Sample(Rng rng)
    {
        var delay = Base + rng.Exponential(Mean);
        return delay > Max ? Max : delay;
    }
}

/// <summary>
/// Per-frame network behaviour. Connections keep TCP semantics (ordered, exactly once): a dropped frame is
/// retransmitted after <see cref="RetransmitTimeout"/>, a duplicate is discarded by the receiver, and a
/// reordered frame is held back by the receiver until the frames before it arrive.
/// </summary>
public sealed record NetworkOptions
{
    /// <summary>One-way delay between two machines.</summary>
    public LatencyDistribution Latency { get; init; } = LatencyDistribution.Default;

    /// <summary>One-way delay between two processes on the same machine.</summary>
    public TimeSpan LoopbackLatency { get; init; } = TimeSpan.FromMilliseconds(0.05);

    /// <summary>Probability (0..1) that a frame is lost on the wire and retransmitted.</summary>
    public double DropProbability { get; init; }

    /// <summary>Probability (0..1) that a frame arrives twice.</summary>
    public double DuplicateProbability { get; init; }

    /// <summary>Probability (0..1) that a frame is delayed by up to <see cref="ReorderDelay"/> extra, overtaken by later ones.</summary>
    public double ReorderProbability { get; init; }

    /// <summary>Largest extra delay of a reordered frame.</summary>
    public TimeSpan ReorderDelay { get; init; } = TimeSpan.FromMilliseconds(20);

    /// <summary>Delay before a lost frame is sent again (TCP's retransmission timeout).</summary>
    public TimeSpan RetransmitTimeout { get; init; } = TimeSpan.FromMilliseconds(200);

    /// <summary>How long a connect to an unreachable machine waits before failing.</summary>
    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>How long a connection survives with its link cut before both ends see it reset.</summary>
    public TimeSpan KeepaliveTimeout { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>The options on one line: latency, then the frame faults that are on.</summary>
    public string Describe()
    {
        var text = $"latency {Ms(Latency.Base)}+{Ms(Latency.Mean)}ms (max {Ms(Latency.Max)}ms)";
        foreach (var (p, name) in new[] { (DropProbability, "drop"), (DuplicateProbability, "duplicate"), (ReorderProbability, "reorder") })
        {
            text += p > 0 ? $" {name} {(p * 100).ToString("0.##", System.Globalization.CultureInfo.InvariantCulture)}%" : "";
        }

        return text;

        static string Ms(TimeSpan t) => t.TotalMilliseconds.ToString("0.##", System.Globalization.CultureInfo.InvariantCulture);
    }

    public void Validate()
    {
        Check(DropProbability, nameof(DropProbability));
        Check(DuplicateProbability, nameof(DuplicateProbability));
        Check(ReorderProbability, nameof(ReorderProbability));
        if (Latency.Base < TimeSpan.Zero || Latency.Mean < TimeSpan.Zero || Latency.Max < Latency.Base)
        {
            throw new ArgumentException($"latency must satisfy 0 <= base <= max and mean >= 0 (got {Latency})");
        }

        static void Check(double p, string name)
        {
            if (p is < 0 or > 1 || double.IsNaN(p))
            {
                throw new ArgumentException($"{name} must be a probability in [0, 1] (got {p})");
            }
        }
    }
}
