using Sim.Cli;
using Sim.Shared;
using static Sim.Tests.Campaign.CampaignHelpers;

namespace Sim.Tests;

/// <summary>What `sim` says about bad input: what is allowed, in words, never a .NET type; combinations it would have ignored; every verb's exit codes.</summary>
public sealed class CliMessageTests : IDisposable
{
    private readonly DirectoryInfo dir = Directory.CreateTempSubdirectory("sim-messages-");

    public void Dispose() => dir.Delete(recursive: true);

    [Theory]
    [InlineData("--seed: 'abc' is not a whole number from 0 to 18446744073709551615", "run", "register", "--seed", "abc")]
    [InlineData("--seed: '-1' is not a whole number from 0 to 18446744073709551615", "run", "register", "--seed", "-1")]
    [InlineData("--iterations: '99999999999' is not a whole number from 1 to 2147483647", "explore", "register", "--iterations", "99999999999")]
    [InlineData("--strategy-bound: '-1' is not a whole number from 0 to 4294967295", "explore", "register", "--strategy-bound", "-1")]
    [InlineData("--workers: 'many' is not a whole number from 0 to 100000", "fuzz", "--workers", "many")]
    [InlineData("--seeds: '0' is not a whole number from 1 to 10000", "bench", "--seeds", "0")]
    public void ANumberOutOfRangeSaysWhatIsAllowed(string message, params string[] args)
    {
        var (code, stdout, stderr) = RunSim(args);

        Assert.Equal(ExitCodes.BadInput, code);
        Assert.Equal("", stdout);
        Assert.StartsWith($"sim: {message}\n", stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("System.", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void AnUnknownVerbIsNamedAloneWithTheVerbs()
    {
        var (code, _, stderr) = RunSim("frobnicate");

        Assert.Equal(ExitCodes.BadInput, code);
        Assert.Equal("sim: unknown command 'frobnicate' (commands: list, run, explore, replay, fuzz, bench, report, gateway); see 'sim --help'", stderr.Trim());
    }

    [Theory]
    [InlineData("--strategy-bound: the loop engine's strategies take no bound", "explore", "register", "--engine", "loop", "--strategy-bound", "3")]
    [InlineData("--pct-depth is the loop engine's", "explore", "register", "--engine", "coyote", "--pct-depth", "4")]
    [InlineData("--iterations and --time: give one budget, not both", "explore", "register", "--iterations", "5", "--time", "10s")]
    [InlineData("--strategies belongs to the bug-finding benchmark: add --defects", "bench", "--strategies", "loop:random")]
    [InlineData("--out belongs to the bug-finding benchmark: add --defects", "bench", "--out", "somewhere")]
    [InlineData("--engine picks the engines' figures; with --defects", "bench", "--defects", "--engine", "loop")]
    public void ACombinationThatWouldBeIgnoredIsBadInput(string message, params string[] args)
    {
        var (code, stdout, stderr) = RunSim(args);

        Assert.Equal(ExitCodes.BadInput, code);
        Assert.Equal("", stdout);
        Assert.StartsWith($"sim: {message}", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void TheSameScenarioTwiceInTheCampaignFileNamesTheSecondLine()
    {
        var config = Config(dir, """
            scenarios:
              - name: register
                engines:
                  - engine: loop
                    strategies: [random]
                    iterations: 1
              - name: register
                engines:
                  - engine: loop
                    strategies: [pct]
                    iterations: 1
            """);

        var (code, _, stderr) = RunSim("fuzz", "--config", config, "--out", Path.Combine(dir.FullName, "out"));

        Assert.Equal(ExitCodes.BadInput, code);
        Assert.Contains($"{config}:7: scenarios[1].name: scenario 'register' is listed twice (first at line 2)", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void ATabInTheCampaignFileNamesTheLineItIsOn()
    {
        var config = Config(dir, "scenarios:\n  - name: register\n    engines:\n      - engine: loop\n\t      strategies: [random]\n        iterations: 1\n");

        var (code, _, stderr) = RunSim("fuzz", "--config", config, "--out", Path.Combine(dir.FullName, "out"));

        Assert.Equal(ExitCodes.BadInput, code);
        Assert.Equal($"sim: {config}:5: a tab in the indentation: YAML indents with spaces only", stderr.Trim());
    }

    [Fact]
    public void MoreWorkersThanTwicePerCoreAreRefusedBeforeAnyStarts()
    {
        var config = Config(dir, "scenarios:\n  - name: heartbeat\n    engines:\n      - engine: loop\n        strategies: [random]\n        iterations: 1\n");
        var outDir = Path.Combine(dir.FullName, "out");

        var (code, stdout, stderr) = RunSim("fuzz", "--config", config, "--out", outDir, "--workers", "1000");

        Assert.Equal(ExitCodes.BadInput, code);
        Assert.Equal("", stdout);
        Assert.Equal($"sim: --workers 1000: more than {Environment.ProcessorCount * 2} (2 per core on this machine's {Environment.ProcessorCount}) would only queue for CPU and memory; pass --workers-max-override to run that many anyway", stderr.Trim());
        Assert.False(Directory.Exists(outDir), "no campaign may start");
    }

    [Theory]
    [InlineData("list")]
    [InlineData("run")]
    [InlineData("explore")]
    [InlineData("replay")]
    [InlineData("fuzz")]
    [InlineData("bench")]
    [InlineData("report")]
    public void EveryVerbsHelpListsTheExitCodes(string verb)
    {
        var (code, stdout, _) = RunSim(verb, "--help");

        Assert.Equal(ExitCodes.Ok, code);
        var help = string.Join(" ", stdout.Split((char[])[' ', '\n', '\r'], StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains("Exit codes: 0 nothing found; 1 a bug found", help, StringComparison.Ordinal);
        Assert.Contains("3 a replay that diverged", help, StringComparison.Ordinal);
        Assert.Contains("4 a campaign interrupted (SIGINT/SIGTERM) before it was done, resumable with --resume", help, StringComparison.Ordinal);
    }
}
