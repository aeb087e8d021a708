namespace Sim.Worlds;

/// <summary>
/// A run's random faults: frame-level network options and a list of configured fault kinds, each with its rate
/// per virtual minute and its knobs (see each kind). Faults stop at the run's quiet point, when everything heals.
/// A profile with <see cref="DrawnPerRun"/> is a swarm template: each run draws its own concrete profile from its
/// seed (which kinds are on, their rates and knobs), so the same seed gives the same faults.
/// </summary>
public sealed record FaultProfile
{
    /// <summary>The profile's name, as scenarios.yaml and the CLI call it.</summary>
    public string Name { get; init; } = "none";

    /// <summary>Latency and frame faults (drop, duplicate, reorder) of every link.</summary>
    public NetworkOptions Network { get; init; } = new();

    /// <summary>The fault kinds on, with their rates and knobs.</summary>
    public IReadOnlyList<IFaultKind> Faults { get; init; } = [];

    /// <summary>Swarm testing: every run draws its own profile (<see cref="SwarmTesting.Draw"/>) instead of using this one's kinds.</summary>
    public bool DrawnPerRun { get; init; }

    /// <summary>No faults at all.</summary>
    public static FaultProfile None { get; } = new();

    /// <summary>Every fault family at a moderate rate.</summary>
    public static FaultProfile Chaos { get; } = new()
    {
        Name = "chaos",
        Network = new NetworkOptions { DropProbability = 0.01, DuplicateProbability = 0.01, ReorderProbability = 0.02 },
        Faults =
        [
            new KillFault { PerMinute = 6 },
            new PartitionFault { PerMinute = 4 },
            new ClogFault { PerMinute = 4, OneWay = true },
            new TlsExpiryFault { PerMinute = 3 },
            new ConnectionResetFault { PerMinute = 3 },
            new ClockSkewFault { PerMinute = 1 },
            new PauseFault { PerMinute = 3 },
        ],
    };

    /// <summary>Crash-heavy: kills and restarts dominate.</summary>
    public static FaultProfile Crashes { get; } = new()
    {
        Name = "crashes",
        Faults = [new KillFault { PerMinute = 12, RestartAfter = DurationRange.Seconds(0.2, 2) }],
    };

    /// <summary>Network-heavy: partitions, clogs, resets and frame faults.</summary>
    public static FaultProfile Partitions { get; } = new()
    {
        Name = "partitions",
        Network = new NetworkOptions { DropProbability = 0.02, DuplicateProbability = 0.02, ReorderProbability = 0.05 },
        Faults =
        [
            new PartitionFault { PerMinute = 8 },
            new ClogFault { PerMinute = 6, OneWay = true },
            new ConnectionResetFault { PerMinute = 6 },
            new TlsExpiryFault { PerMinute = 4 },
        ],
    };

    /// <summary>Swarm testing (TigerBeetle's <c>options_swarm</c>): each seed draws which registered kinds are on, their rates and knobs, and the frame faults.</summary>
    public static FaultProfile Swarm { get; } = new() { Name = "swarm", DrawnPerRun = true };

    public static IReadOnlyList<FaultProfile> Builtin { get; } = [None, Chaos, Crashes, Partitions, Swarm];

    /// <summary>Faults of every kind per virtual minute, together.</summary>
    public double TotalRate => Faults.Sum(f => f.PerMinute);

    /// <summary>This profile with <paramref name="kinds"/> on: each replaces the kind of the same name, or is added.</summary>
    public FaultProfile With(params IFaultKind[] kinds) => this with
    {
        Faults = [.. Faults.Where(k => !kinds.Any(n => n.Name == k.Name)), .. kinds],
    };

    /// <summary>The concrete profile of one run in <paramref name="world"/>: this one, or for a swarm template the one its seed draws.</summary>
    public FaultProfile ForRun(World world) => DrawnPerRun ? SwarmTesting.Draw(world, Name, FaultKinds.All) : this;

    /// <summary>Throws <see cref="ArgumentException"/> naming the profile, the kind and the knob out of range.</summary>
    public void Validate()
    {
        try
        {
            Network.Validate();
            foreach (var kind in Faults)
            {
                kind.Validate();
            }
        }
        catch (ArgumentException e)
        {
            throw new ArgumentException($"fault profile '{Name}': {e.Message}", e);
        }

        if (Faults.GroupBy(k => k.Name, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1) is { } twice)
        {
            throw new ArgumentException($"fault profile '{Name}': fault kind '{twice.Key}' is configured twice");
        }
    }

    /// <summary>The profile on one line: name, frame faults and each kind on with its rate and knobs.</summary>
    public string Describe() => DrawnPerRun ? $"{Name}: drawn per run from the seed" : string.Join("; ", DescribeLines());

    /// <summary>The profile as lines: the name and frame faults, then one line per kind on.</summary>
    public IReadOnlyList<string> DescribeLines() =>
        DrawnPerRun ? [Describe()] : [$"{Name}: network {Network.Describe()}", .. Faults.Where(k => k.PerMinute > 0).Select(k => k.Describe())];
}
