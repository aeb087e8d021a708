using System.Text.Json;
using Sim.Cli;
using Sim.Scenarios;
using Sim.Shared;
using Sim.Worlds;

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

    [Fact]
    public void SimRunPrintsTheProfileItDrewAndBuggifyOffChangesTheRun()
    {
        var (code, stdout, stderr) = CliTests.Sim("run", "heartbeat", "--seed", "3", "--faults", "swarm", "--out", outDir.FullName);
        Assert.True(code == ExitCodes.Ok, stderr + stdout);
        Assert.Contains("buggify on", stdout, StringComparison.Ordinal);
        Assert.Contains("swarm: network ", stdout, StringComparison.Ordinal);

        var on = CliTests.LastLine(CliTests.Sim("run", "register", "--seed", "3", "--json", "--out", outDir.FullName).Stdout);
        var off = CliTests.LastLine(CliTests.Sim("run", "register", "--seed", "3", "--buggify", "off", "--json", "--out", outDir.FullName).Stdout);
        Assert.True(on.GetProperty("buggify").GetBoolean());
        Assert.False(off.GetProperty("buggify").GetBoolean());
        Assert.NotEqual(on.GetProperty("hash").GetString(), off.GetProperty("hash").GetString());
        Assert.Equal(ExitCodes.BadInput, CliTests.Sim("run", "register", "--buggify", "sometimes").Code);
    }

    [Fact]
    public void AFindingWithBuggifyOffRecordsItAndReplaysWithItOff()
    {
        var (code, stdout, stderr) = CliTests.Sim("explore", "register", "--engine", "loop", "--defect", "ack-before-flush", "--buggify", "off", "--iterations", "50", "--json", "--out", outDir.FullName);
        Assert.True(code == ExitCodes.Bug, stderr + stdout);
        var found = CliTests.LastLine(stdout);
        var report = found.GetProperty("report").GetString()!;
        using (var json = JsonDocument.Parse(File.ReadAllText(report)))
        {
            Assert.False(json.RootElement.GetProperty("buggify").GetBoolean());
        }

        var replayed = CliTests.LastLine(CliTests.Sim("replay", report, "--json").Stdout);
        Assert.Equal("bug", replayed.GetProperty("verdict").GetString());
        Assert.Equal(found.GetProperty("hash").GetString(), replayed.GetProperty("hash").GetString());
    }

    [Fact]
    public void SimListNamesEveryFaultKindAndBuggifySite()
    {
        var (code, stdout, _) = CliTests.Sim("list");
        Assert.Equal(ExitCodes.Ok, code);
        Assert.All(FaultKinds.All, k => Assert.Contains($"  {k.Name}: ", stdout, StringComparison.Ordinal));
        Assert.All(Sim.Stack.Buggify.BuggifyCatalogue.All, s => Assert.Contains($"  {s.Name} (", stdout, StringComparison.Ordinal));
    }
}
