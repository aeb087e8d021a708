using Sim.Engine;
using Sim.Scenarios;
using Sim.Scenarios.Register;
using Sim.Stack.Defects;
using Sim.Stack.Rpc;
using Sim.Worlds;

namespace Sim.Tests;

public sealed class RegisterScenarioTests
{
    private static readonly Scenario Register = new RegisterScenario();

    [Theory]
    [InlineData("random")]
    [InlineData("pct")]
    public void ExplorerFindsTheAckBeforeFlushDefectWithinTwentyIterations(string strategy)
    {
        var config = new RunConfig("register", 1, strategy, new DefectSet([DefectCatalogue.AckBeforeFlush]));
        var runs = 0;
        var outcome = new Explorer(Register, config).Run(20, _ => runs++);

        Assert.NotNull(outcome.Bug);
        Assert.Equal(runs, outcome.Iterations);
        Assert.True(outcome.Iterations <= 20);
        Assert.Equal(RegisterChecker.NoLostAckedWrite, outcome.Bug.Violation!.Invariant);
        Assert.Equal(config.Seed + (ulong)(outcome.Iterations - 1), outcome.Bug.Config.Seed);
    }

    [Theory]
    [InlineData("random")]
    [InlineData("pct")]
    public void WithoutTheDefectFifteenSeedsAreClean(string strategy)
    {
        var config = new RunConfig("register", 1, strategy, DefectSet.None);
        var faults = 0;
        var outcome = new Explorer(Register, config).Run(15, r => faults += r.FaultsInjected);

        Assert.True(outcome.Bug is null, $"seed {outcome.Bug?.Config.Seed}: {outcome.Bug?.Violation}");
        Assert.Equal(15, outcome.Iterations);
        Assert.True(faults > 15, $"the campaign injected only {faults} faults: it tested little");
    }

    [Fact]
    public void CleanRunsReachTheHorizonHavingDoneRealWork()
    {
        var result = Simulation.Run(Register, new RunConfig("register", 3, "random", DefectSet.None));

        result.AssertClean();
        Assert.Equal(LoopExit.Horizon, result.Exit);
        Assert.Equal(TimeSpan.FromSeconds(40), result.VirtualTime);
        Assert.Equal(3, result.Events<ClientVerified>().Count);
        Assert.Contains(result.Events<RpcCompleted>(), e => e.Event.Method.EndsWith("/Write", StringComparison.Ordinal) && e.Event.Ok);
        Assert.NotEmpty(result.Events<DiskFlushed>());
        Assert.NotEmpty(result.Events<TlsEstablished>());
    }

    [Fact]
    public void ABugFoundByTheExplorerReplaysFromItsSeed()
    {
        var config = new RunConfig("register", 1, "random", new DefectSet([DefectCatalogue.AckBeforeFlush]));
        var outcome = new Explorer(Register, config).Run(20, _ => { });
        Assert.NotNull(outcome.Bug);

        var replay = Simulation.Run(Register, outcome.Bug.Config with { KeepEventLog = true });

        Assert.Equal(outcome.Bug.Hash, replay.Hash);
        Assert.Equal(outcome.Bug.Violation, replay.Violation);
        Assert.Contains(replay.Events<Violation>(), e => e.Subject == RegisterChecker.NoLostAckedWrite);
        Assert.Contains($"--seed {outcome.Bug.Config.Seed}", replay.ReplayCommand, StringComparison.Ordinal);
        Assert.Contains("--defect ack-before-flush", replay.ReplayCommand, StringComparison.Ordinal);
    }
}
