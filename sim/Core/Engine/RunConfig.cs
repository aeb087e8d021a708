using Sim.Stack.Defects;
using Sim.Worlds;

namespace Sim.Engine;

/// <summary>Everything that determines a run: with the commit, the same config gives the same event-log hash.</summary>
/// <param name="Scenario">The scenario's name.</param>
/// <param name="Seed">The run's seed; every stream derives from it.</param>
/// <param name="Strategy">The scheduling strategy: <c>random</c> or <c>pct</c>.</param>
/// <param name="Defects">The defects planted.</param>
/// <param name="Profile">A fault profile replacing the scenario's own, if any.</param>
/// <param name="PctDepth">PCT's bug depth (number of priority change points + 1).</param>
/// <param name="KeepEventLog">Keep every event-log line in memory (needed to write the log).</param>
/// <param name="Buggify">BUGGIFY on (the default, as in FoundationDB's simulator): it changes the run, so a replay must use the same.</param>
public sealed record RunConfig(
    string Scenario,
    ulong Seed,
    string Strategy,
    DefectSet Defects,
    FaultProfile? Profile = null,
    int PctDepth = 3,
    bool KeepEventLog = true,
    bool Buggify = true)
{
    public static IReadOnlyList<string> Strategies { get; } = ["random", "pct"];
}
