using System.Text.Json;
using Sim.Cli;
using Sim.Scenarios;
using Sim.Shared;

namespace Sim.Tests;

/// <summary>`--faults swarm` through the `sim` command: every scenario explores under it, and a swarm finding replays from its bug report.</summary>
public sealed class SwarmCliTests : IDisposable
{
    private readonly DirectoryInfo outDir = Directory.CreateTempSubdirectory("sim-swarm-cli-");

    public void Dispose() => outDir.Delete(recursive: true);

    public static TheoryData<string> Scenarios() => [.. ScenarioCatalog.All.Select(s => s.Name)];

    [Theory]
    [MemberData(nameof(Scenarios))]
    public void EveryScenarioExploresUnderSwarmAndFindsNothingWithoutADefect(string scenario)
    {
        var (code, stdout, stderr) = CliTests.Sim("explore", scenario, "--engine", "loop", "--faults", "swarm", "--iterations", "2", "--seed", "40", "--json", "--out", outDir.FullName);

        Assert.True(code == ExitCodes.Ok, stderr + stdout);
        Assert.Equal(2, CliTests.LastLine(stdout).GetProperty("iterations").GetInt32());
    }

    [Fact]
    public void ASwarmFindingReplaysFromItsBugReport()
    {
        var (code, stdout, stderr) = CliTests.Sim("explore", "register", "--engine", "loop", "--defect", "ack-before-flush", "--faults", "swarm", "--iterations", "100", "--json", "--out", outDir.FullName);
        Assert.True(code == ExitCodes.Bug, stderr + stdout);
        var found = CliTests.LastLine(stdout);

        // The report names the profile, not its draw: the seed draws the same profile again.
        var report = found.GetProperty("report").GetString()!;
        using (var json = JsonDocument.Parse(File.ReadAllText(report)))
        {
            Assert.Equal("swarm", json.RootElement.GetProperty("faults").GetString());
        }

        var (replayCode, replayOut, replayErr) = CliTests.Sim("replay", report, "--json");

        Assert.True(replayCode == ExitCodes.Bug, replayErr + replayOut);
        var replayed = CliTests.LastLine(replayOut);
        Assert.Equal("bug", replayed.GetProperty("verdict").GetString());
        Assert.Equal(found.GetProperty("invariant").GetString(), replayed.GetProperty("invariant").GetString());
        Assert.Equal(found.GetProperty("hash").GetString(), replayed.GetProperty("hash").GetString());
        var log = File.ReadAllLines(found.GetProperty("eventLog").GetString()!);
        Assert.StartsWith("0 0.000000 fault.plan swarm buggify=on swarm: network ", log.First(l => l.Contains(" fault.plan ", StringComparison.Ordinal)), StringComparison.Ordinal);
    }
}
