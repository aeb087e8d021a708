namespace Sim.Worlds;

/// <summary>World-wide knobs that are not faults.</summary>
public sealed record WorldOptions
{
    /// <summary>Frame-level network behaviour (latency and frame faults).</summary>
    public NetworkOptions Network { get; init; } = new();

    /// <summary>How long a disk flush takes.</summary>
    public TimeSpan FlushLatency { get; init; } = TimeSpan.FromMilliseconds(2);

    /// <summary>
    /// BUGGIFY on: the stack's sites may take their rare paths (on by default, as in FoundationDB's simulator).
    /// It changes the run, so a replay must use the same setting.
    /// </summary>
    public bool Buggify { get; init; } = true;

    /// <summary>Keep the text of every event-log line (the hash is kept either way).</summary>
    public bool KeepEventLog { get; init; } = true;
}
