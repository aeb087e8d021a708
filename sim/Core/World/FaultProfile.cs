namespace Sim.Worlds;

/// <summary>How the fault injector splits machines when it partitions the network.</summary>
public enum PartitionMode
{
    /// <summary>Cuts both directions between two machines.</summary>
    Symmetric,

    /// <summary>Cuts one direction between two machines: A hears B, B never hears A.</summary>
    Asymmetric,

    /// <summary>Splits the machines into two random non-empty groups and cuts every link between them.</summary>
    GroupSplit,

    /// <summary>Isolates exactly one machine from all others, both directions.</summary>
    IsolateOne,

    /// <summary>Cuts links one by one at intervals, then heals them in random order.</summary>
    Swizzle,
}

/// <summary>
/// A profile of fault probabilities. Rates are per virtual minute over the whole world (a Poisson
/// process); durations are drawn uniformly from their [min, max]. Frame-level faults live in
/// <see cref="Network"/>. Faults stop at the run's quiet point, when everything is healed.
/// </summary>
public sealed record FaultProfile
{
    /// <summary>The profile's name, as scenarios.yaml and the CLI call it.</summary>
    public string Name { get; init; } = "none";

    /// <summary>Latency and frame faults (drop, duplicate, reorder) of every link.</summary>
    public NetworkOptions Network { get; init; } = new();

    /// <summary>Process kills per virtual minute (only processes marked killable).</summary>
    public double KillsPerMinute { get; init; }

    /// <summary>A killed process restarts after a delay in [min, max].</summary>
    public TimeSpan RestartAfterMin { get; init; } = TimeSpan.FromSeconds(1);

    /// <inheritdoc cref="RestartAfterMin"/>
    public TimeSpan RestartAfterMax { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Partitions per virtual minute.</summary>
    public double PartitionsPerMinute { get; init; }

    /// <summary>How long a partition lasts: uniformly in [min, max].</summary>
    public TimeSpan PartitionMin { get; init; } = TimeSpan.FromSeconds(1);

    /// <inheritdoc cref="PartitionMin"/>
    public TimeSpan PartitionMax { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Which partition shapes may be drawn.</summary>
    public IReadOnlyList<PartitionMode> PartitionModes { get; init; } = Enum.GetValues<PartitionMode>();

    /// <summary>Link clogs (frames held, then released in order) per virtual minute.</summary>
    public double ClogsPerMinute { get; init; }

    /// <summary>How long a clog lasts: uniformly in [min, max].</summary>
    public TimeSpan ClogMin { get; init; } = TimeSpan.FromMilliseconds(100);

    /// <inheritdoc cref="ClogMin"/>
    public TimeSpan ClogMax { get; init; } = TimeSpan.FromSeconds(3);

    /// <summary>TLS session expiries (every session of one process fails and must re-handshake) per virtual minute.</summary>
    public double TlsExpiriesPerMinute { get; init; }

    /// <summary>Connection resets (one random established connection) per virtual minute.</summary>
    public double ResetsPerMinute { get; init; }

    /// <summary>Clock-skew changes (one machine's clock jumps) per virtual minute.</summary>
    public double SkewsPerMinute { get; init; }

    /// <summary>Largest absolute skew a machine's clock is given.</summary>
    public TimeSpan MaxSkew { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>Process pauses (a GC or VM stall) per virtual minute.</summary>
    public double PausesPerMinute { get; init; }

    /// <summary>How long a pause lasts: uniformly in [min, max].</summary>
    public TimeSpan PauseMin { get; init; } = TimeSpan.FromMilliseconds(100);

    /// <inheritdoc cref="PauseMin"/>
    public TimeSpan PauseMax { get; init; } = TimeSpan.FromSeconds(3);

    /// <summary>No faults at all.</summary>
    public static FaultProfile None { get; } = new();

    /// <summary>Every fault family at a moderate rate.</summary>
    public static FaultProfile Chaos { get; } = new()
    {
        Name = "chaos",
        Network = new NetworkOptions { DropProbability = 0.01, DuplicateProbability = 0.01, ReorderProbability = 0.02 },
        KillsPerMinute = 6,
        PartitionsPerMinute = 4,
        ClogsPerMinute = 4,
        TlsExpiriesPerMinute = 3,
        ResetsPerMinute = 3,
        SkewsPerMinute = 1,
        PausesPerMinute = 3,
    };

    /// <summary>Crash-heavy: kills and restarts dominate.</summary>
    public static FaultProfile Crashes { get; } = new()
    {
        Name = "crashes",
        KillsPerMinute = 12,
        RestartAfterMin = TimeSpan.FromMilliseconds(200),
        RestartAfterMax = TimeSpan.FromSeconds(2),
    };

    /// <summary>Network-heavy: partitions, clogs, resets and frame faults.</summary>
    public static FaultProfile Partitions { get; } = new()
    {
        Name = "partitions",
        Network = new NetworkOptions { DropProbability = 0.02, DuplicateProbability = 0.02, ReorderProbability = 0.05 },
        PartitionsPerMinute = 8,
        ClogsPerMinute = 6,
        ResetsPerMinute = 6,
        TlsExpiriesPerMinute = 4,
    };

    public static IReadOnlyList<FaultProfile> Builtin { get; } = [None, Chaos, Crashes, Partitions];

    public double TotalRate => KillsPerMinute + PartitionsPerMinute + ClogsPerMinute + TlsExpiriesPerMinute + ResetsPerMinute + SkewsPerMinute + PausesPerMinute;

    public void Validate()
    {
        Network.Validate();
        foreach (var (rate, name) in new[]
        {
            (KillsPerMinute, nameof(KillsPerMinute)), (PartitionsPerMinute, nameof(PartitionsPerMinute)), (ClogsPerMinute, nameof(ClogsPerMinute)),
            (TlsExpiriesPerMinute, nameof(TlsExpiriesPerMinute)), (ResetsPerMinute, nameof(ResetsPerMinute)), (SkewsPerMinute, nameof(SkewsPerMinute)),
            (PausesPerMinute, nameof(PausesPerMinute)),
        })
        {
            if (rate < 0 || double.IsNaN(rate))
            {
                throw new ArgumentException($"{name} must be >= 0 (got {rate})");
            }
        }

        if (RestartAfterMax < RestartAfterMin || PartitionMax < PartitionMin || ClogMax < ClogMin || PauseMax < PauseMin)
        {
            throw new ArgumentException($"fault profile '{Name}': every max duration must be >= its min");
        }

        if (PartitionsPerMinute > 0 && PartitionModes.Count == 0)
        {
            throw new ArgumentException($"fault profile '{Name}': partitions are enabled but no partition mode is");
        }
    }
}
