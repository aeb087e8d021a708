using Grpc.Core;
using Sim.Engine;
using Sim.Scenarios;
using Sim.Scenarios.Fleet;
using Sim.Stack.Defects;
using Sim.Stack.Fleet;
using Sim.Stack.Fleet.Contracts;
using Sim.Stack.Host;
using Sim.Stack.Rpc;
using Sim.Testing;
using Sim.Worlds;

namespace Sim.Tests;

/// <summary>The coordinator/node stack and the fleet-restart scenario.</summary>
public sealed class FleetTests
{
    [Fact]
    public void LoopExplorationFindsTheStaleNodeMapping()
    {
        var outcome = Explore.WithLoop("fleet-restart", defect: DefectCatalogue.StaleNodeMapping, iterations: 5);

        Assert.NotNull(outcome.Bug);
        Assert.Contains(outcome.Bug.Violation!.Invariant, new[] { FleetChecker.MappingPointsAtLiveEntry, FleetChecker.PingLoopNeverDies });
    }

    [Fact]
    public void TheDurableBackendDoesNotHaveTheStaleMappingBug()
    {
        var result = Simulation.Run(new FleetRestartScenario(durable: true), new RunConfig("fleet-restart", 1, "random", new DefectSet([DefectCatalogue.StaleNodeMapping])));

        Assert.NotEqual(FleetChecker.MappingPointsAtLiveEntry, result.Violation?.Invariant);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void WithoutTheDefectBothBackendsRunClean(bool durable)
    {
        var scenario = new FleetRestartScenario(durable: durable);
        for (ulong seed = 1; seed <= 4; seed++)
        {
            var result = Simulation.Run(scenario, new RunConfig("fleet-restart", seed, "random", DefectSet.None));
            Assert.True(result.Violation is null, $"seed {seed} ({(durable ? "durable" : "in-memory")}): {result.Violation}");
            Assert.Contains(result.Account, l => l.Contains("registered as node", StringComparison.Ordinal));
        }
    }

    [Fact]
    public void BothBackendsReachTheSameRegistryOutcome()
    {
        for (ulong seed = 5; seed <= 7; seed++)
        {
            var outcomes = new[] { false, true }
                .Select(durable => Simulation.Run(new FleetRestartScenario(durable: durable), new RunConfig("fleet-restart", seed, "random", DefectSet.None)))
                .Select(r => r.Account.Single(l => l.StartsWith("registry outcome:", StringComparison.Ordinal)))
                .ToList();

            Assert.Equal(outcomes[0], outcomes[1]);
            Assert.DoesNotContain("absent", outcomes[0], StringComparison.Ordinal);
        }
    }

    [Fact]
    public void HostileNodesGetAccessDeniedAndTheMisdialerANameMismatch()
    {
        var result = Simulation.Run(ScenarioCatalog.Find("fleet-restart")!, new RunConfig("fleet-restart", 3, "random", DefectSet.None));

        foreach (var hostile in new[] { "intruder", "forger" })
        {
            Assert.Contains(result.Account, l => l.StartsWith(hostile + ":", StringComparison.Ordinal) && l.Contains(" 0 accepted", StringComparison.Ordinal) && l.Contains("Unauthenticated: Access denied", StringComparison.Ordinal));
        }

        Assert.Contains(result.Account, l => l.StartsWith("misdialer:", StringComparison.Ordinal) && l.Contains(" 0 accepted", StringComparison.Ordinal));
    }

    [Fact]
    public void EveryProbeKindIsJudgedInADefaultRun()
    {
        var result = Simulation.Run(ScenarioCatalog.Find("fleet-restart")!, new RunConfig("fleet-restart", 1, "random", DefectSet.None));

        result.AssertClean();
        var verdicts = result.Account.Single(l => l.StartsWith("probes judged:", StringComparison.Ordinal));
        foreach (var kind in Enum.GetValues<ProbeKind>())
        {
            Assert.DoesNotContain($"{kind} 0", verdicts.Split(", ").Select(v => v.Split(' ')[0] + " " + v.Split(' ')[1]));
        }
    }

    [Fact]
    public void AGracefullyStoppedNodeGetsTheAnswerToItsGoodbye()
    {
        // node1 stops gracefully at 8 s: its DeleteNode is answered although its process is stopping (RpcChannel's receive loop outlives the stop signal).
        var result = Simulation.Run(ScenarioCatalog.Find("fleet-restart")!, new RunConfig("fleet-restart", 1, "random", DefectSet.None));

        Assert.Contains(result.Account, l => l.Contains("#1 deleted node", StringComparison.Ordinal) && l.Contains("on stop", StringComparison.Ordinal));
        Assert.DoesNotContain(result.Account, l => l.Contains("DeleteNode failed on stop", StringComparison.Ordinal));
    }

    [Fact]
    public void TheFocusedScenarioFindsALeaveThatDoesNotWaitForThePingLoop()
    {
        var outcome = Explore.WithLoop("fleet-leave", defect: DefectCatalogue.LeaveBeforePingLoopStops, iterations: 20);

        Assert.NotNull(outcome.Bug);
        Assert.Equal(FleetChecker.LeftNodeStaysGone, outcome.Bug.Violation!.Invariant);
    }

    [Fact]
    public void TheFocusedScenarioRunsCleanWithoutDefects()
    {
        var outcome = Explore.WithLoop("fleet-leave", iterations: 10);

        Assert.Null(outcome.Bug);
    }

    [Fact]
    public void AKeyHeldByAnOnlineNodeIsRefusedAsAlreadyInUse()
    {
        string? second = null;
        long first = 0;
        var result = TestWorld.Run("fleet-key-in-use", ctx =>
        {
            var ca = ctx.Authority("ca");
            var cert = ca.Issue("link", ["link"], World.Epoch.AddDays(-1), World.Epoch.AddDays(1));
            var hub = ctx.Machine("hub", "a", "10.0.0.1");
            ctx.Name("link", "10.0.0.1");
            var credentials = NodeCredentials.Generate(ctx.Workload);
            var allowed = new HashSet<string>([Convert.ToHexStringLower(credentials.PublicKey)], StringComparer.Ordinal);
            ctx.Process("link", hub, host =>
            {
                Coordinator.Start(host, new CoordinatorOptions("10.0.0.1", 9092, new TlsServerOptions(() => cert), allowed, false, DefectSet.None, TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(5)));
                return Task.CompletedTask;
            });
            ctx.Process("twins", ctx.Machine("m", "b", "10.0.0.2"), async host =>
            {
                var fleet = new Sim.Stack.Fleet.Contracts.Fleet.FleetClient(new RpcChannel(host, "link", 9092, new TlsClientOptions("link", ca.Trust())));
                await host.Clock.Delay(TimeSpan.FromMilliseconds(100));
                first = (await fleet.CreateNodeAsync(new CreateNodeRequest { PingInterval = 30 }, credentials.Sign(host.Clock.UtcNow))).Node.NodeId;
                try
                {
                    await fleet.CreateNodeAsync(new CreateNodeRequest { PingInterval = 30 }, credentials.Sign(host.Clock.UtcNow));
                }
                catch (RpcException e)
                {
                    second = $"{e.StatusCode}: {e.Status.Detail}";
                }
            });
            ctx.Horizon = TimeSpan.FromSeconds(2);
        });

        result.AssertClean();
        Assert.True(first > 0);
        Assert.Equal("FailedPrecondition: Public key already in use", second);
    }

    [Fact]
    public void SignaturesAreDeterministicEd25519()
    {
        var seed = Enumerable.Range(0, 32).Select(i => (byte)i).ToArray();
        var a = new NodeCredentials(seed).SignTimestamp("42");
        var b = new NodeCredentials(seed).SignTimestamp("42");

        Assert.Equal(a.GetValueBytes(NodeCredentials.SignatureHeader), b.GetValueBytes(NodeCredentials.SignatureHeader));
        Assert.True(NodeCredentials.Verify(new NodeCredentials(seed).PublicKey, "42", a.GetValueBytes(NodeCredentials.SignatureHeader)!));
        Assert.False(NodeCredentials.Verify(new NodeCredentials(seed).PublicKey, "43", a.GetValueBytes(NodeCredentials.SignatureHeader)!));
    }
}
