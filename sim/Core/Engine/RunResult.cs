using Sim.Worlds;

namespace Sim.Engine;

/// <summary>The outcome of one run: a verdict, and for a bug everything needed to understand and replay it.</summary>
public sealed record RunResult(
    RunConfig Config,
    Violation? Violation,
    string Hash,
    long Steps,
    TimeSpan VirtualTime,
    LoopExit Exit,
    EventLog Log,
    TimeSpan WallTime,
    int FaultsInjected,
    IReadOnlyList<string> Account)
{
    /// <summary>The fault profile the run drew from (for a swarm run, the one its seed drew).</summary>
    public FaultProfile? Faults { get; init; }

    public bool IsBug => Violation is not null;

    public string Verdict => IsBug ? "bug" : "ok";

    /// <summary>Virtual seconds simulated per wall-clock second.</summary>
    public double TimeCompression => WallTime.TotalSeconds > 0 ? VirtualTime.TotalSeconds / WallTime.TotalSeconds : double.PositiveInfinity;

    /// <summary>The one command that replays this run.</summary>
    public string ReplayCommand =>
        $"dotnet run --project sim -- run {Config.Scenario} --seed {Config.Seed} --strategy {Config.Strategy}"
        + (Config.Defects.Names.Count > 0 ? $" --defect {Config.Defects}" : "")
        + (Config.Profile is { } p ? $" --faults {p.Name}" : "")
        + (Config.Buggify ? "" : " --buggify off");
}
