using System.Text;
using Google.Protobuf;
using Sim.Engine;
using Sim.Engine.Coyote;
using Sim.Scenarios;
using Sim.Scenarios.Psi;
using Sim.Stack.Cluster;
using Sim.Stack.Defects;
using Sim.Stack.Host;
using Sim.Stack.Psi;
using Sim.Stack.Psi.Contracts;
using Sim.Testing;

namespace Sim.Tests;

/// <summary>Two-party ECDH-PSI (src/Psi) over party clusters (src/Cluster), and the psi-multinode scenario.</summary>
public sealed class PsiTests
{
    private static readonly string[] AliceItems = ["13800000001", "13800000002", "13800000003", "13912345678", "15000000000", "18600000042", "17700000007"];
    private static readonly string[] BobItems = ["13912345678", "13800000002", "19999999999", "18600000042", "13000000000"];

    [Theory]
    [InlineData("X25519", "both")]
    [InlineData("SECP256K1", "both")]
    [InlineData("X25519", "alice")]
    [InlineData("SECP256K1", "bob")]
    public void PsiOfTwoKnownSetsIsTheirIntersection(string curve, string receivers)
    {
        var protocol = PsiProtocol.Default with { Curve = curve, Receivers = receivers, BatchSize = 2 };

        var (alice, bob) = RunPair(protocol, protocol);

        var truth = AliceItems.Intersect(BobItems).Order(StringComparer.Ordinal).ToList();
        Assert.Equal(["13800000002", "13912345678", "18600000042"], truth);
        Assert.Equal(protocol.Receives("alice") ? truth : null, alice.Result?.Order(StringComparer.Ordinal).ToList());
        Assert.Equal(protocol.Receives("bob") ? truth : null, bob.Result?.Order(StringComparer.Ordinal).ToList());
        Assert.Null(alice.Error);
        Assert.Null(bob.Error);
    }

    [Theory]
    [InlineData("curve", "curve: alice uses X25519, bob uses SECP256K1")]
    [InlineData("version", "protocol version: alice uses ecdh-psi/2, bob uses ecdh-psi/1")]
    [InlineData("receivers", "result receiver: alice uses both, bob uses bob")]
    [InlineData("batch", "batch size: alice uses 2, bob uses 3")]
    public void AProtocolOptionFlippedOnOneSideFailsBothSidesNamingTheMismatch(string option, string difference)
    {
        var protocol = PsiProtocol.Default with { BatchSize = 2 };
        var flipped = option switch
        {
            "curve" => protocol with { Curve = Secp256k1Curve.CurveName },
            "version" => protocol with { Version = "ecdh-psi/1" },
            "receivers" => protocol with { Receivers = "bob" },
            _ => protocol with { BatchSize = 3 },
        };

        var (alice, bob) = RunPair(protocol, flipped);

        Assert.Equal(PsiErrors.Mismatch, alice.Error?.ErrorKind);
        Assert.Equal($"PSI handshake with bob failed: {difference}", alice.Error!.Message);
        Assert.Equal(PsiErrors.Mismatch, bob.Error?.ErrorKind);
        Assert.Null(alice.Result);
        Assert.Null(bob.Result);
    }

    [Theory]
    [InlineData("X25519")]
    [InlineData("SECP256K1")]
    public void MaskingCommutesSoDoubleMaskedValuesMatch(string name)
    {
        var curve = EcdhCurve.Named(name);
        var rng = new Worlds.Rng(7);
        var (a, b) = (curve.NewScalar(rng), curve.NewScalar(rng));
        var point = curve.HashToPoint(Encoding.UTF8.GetBytes("13800000002"));

        Assert.Equal(curve.Mask(b, curve.Mask(a, point)), curve.Mask(a, curve.Mask(b, point)));
        Assert.NotEqual(curve.Mask(a, point), curve.Mask(b, point));
        Assert.NotEqual(point, curve.HashToPoint(Encoding.UTF8.GetBytes("13800000003")));
    }

    [Theory]
    [InlineData("id\n13800000001\n13800000002\n13800000001\n", "input f.csv: line 4 repeats the id of line 2 (duplicate items)")]
    [InlineData("id\n", "input f.csv has no items")]
    [InlineData("id\n13800000001\n1380000000x\n", "input f.csv: line 3 is not an id (11 characters; expected 11 digits)")]
    [InlineData("phone\n13800000001\n", "input f.csv: line 1 must be the header 'id'")]
    public void ABadInputIsRefusedNamingItsLineAndNeverItsItems(string content, string error)
    {
        var thrown = Assert.Throws<ActorFailure>(() => ItemFile.Parse("f.csv", Encoding.UTF8.GetBytes(content)));

        Assert.Equal(PsiErrors.BadInput, thrown.ErrorKind);
        Assert.Equal(error, thrown.Message);
        Assert.Equal("input f.csv does not exist on this node", Assert.Throws<ActorFailure>(() => ItemFile.Parse("f.csv", null)).Message);
    }

    [Fact]
    public void WithoutDefectsTheScenarioRunsCleanAndReceiversGetTheTrueIntersection()
    {
        for (ulong seed = 2; seed <= 4; seed++)
        {
            var result = Simulation.Run(new PsiMultinodeScenario(incident: PsiIncident.None), new RunConfig("psi-multinode", seed, "random", DefectSet.None));

            Assert.True(result.Violation is null, $"seed {seed}: {result.Violation}");
            var succeeded = result.Events<PsiAttemptSucceeded>().Where(e => e.Event.Intersection is not null).ToList();
            Assert.NotEmpty(succeeded);
            Assert.Contains(result.Account, l => l.StartsWith("true intersection: ", StringComparison.Ordinal));
        }
    }

    [Fact]
    public void AfterAQuickHeadRestartEveryWorkerJoinsTheNewHeadUnderItsOwnId()
    {
        // The head restarts faster than the node timeout: its workers learn it forgot them from a heartbeat's answer and
        // register again, in whatever order their heartbeats arrive. A worker whose old id the new head has meanwhile
        // given to another machine must not be taken for that machine (its heartbeats would keep the other's entry alive
        // while it never joins).
        for (ulong seed = 1; seed <= 8; seed++)
        {
            var result = TestWorld.Run("cluster-quick-head-restart", ctx => QuickHeadRestart(ctx), seed);

            result.AssertClean();
        }
    }

    private static void QuickHeadRestart(ScenarioContext ctx)
    {
        ctx.Horizon = TimeSpan.FromSeconds(3);
        var site = ctx.Site("alice");
        var slot = ctx.Certificate("alice", site.Authority, ["alice"], TimeSpan.FromDays(30));
        var tls = new TlsServerOptions(() => slot.Current, PsiTopology.TrustOf(site));
        var classes = new Dictionary<string, ActorMain>(StringComparer.Ordinal);
        ClusterOptions Cluster(string head) => PsiMultinodeScenario.ClusterOf("alice", head, tls, new TlsClientOptions("alice", ctx.Trust, slot.Current));
        var head = ctx.Service("alice-head", "alice", PsiTopology.HeadPort, (host, me) =>
            new PartyHead(ClusterHeadServer.Start(host, Cluster(me.Address), new Dictionary<int, ForwardedPort>()), NodeAgent.Start(host, Cluster(me.Address), me.Address, 2, classes)));
        var workers = Enumerable.Range(1, 3).Select(i => ctx.Service($"alice-w{i}", "alice", PsiTopology.NodePort, (host, me) =>
            NodeAgent.Start(host, Cluster(head.Address), me.Address, 2, classes))).ToList();
        ctx.Script(
            async w =>
            {
                await w.Delay(TimeSpan.FromSeconds(1));
                w.Kill(head);
                await w.Delay(TimeSpan.FromSeconds(0.1));
                w.Start(head);
            },
            "restart-head");
        ctx.Eventually("every-worker-joins-the-new-head", () => workers
            .Where(w => w.Current?.NodeId is not { } id || head.Current?.Head.Nodes.Any(n => n.NodeId == id && n.Alive && n.Machine == w.Machine.Name) != true)
            .Select(w => $"{w.Name} holds {w.Current?.NodeId ?? "no id"}; the head's live nodes: {string.Join(", ", head.Current?.Head.Nodes.Where(n => n.Alive).Select(n => $"{n.NodeId} on {n.Machine}") ?? [])}")
            .FirstOrDefault());
    }

    [Fact]
    public void APushOfTheNextAttemptWaitsForThePeersNextAttemptInsteadOfBeingLost()
    {
        // Bob's attempt 1 still holds the link when alice's attempt 2 says hello (alice's head restarted quickly); bob's
        // attempt 1 must not take the hello and drop it: alice retries until bob's attempt 2 binds, and bob gets it.
        ByteString? received = null;
        var result = TestWorld.Run("psi-next-attempt", ctx =>
        {
            var mutual = new ServiceOptions { MutualTls = true };
            Live<Task>? alice = null;
            Live<Task>? bob = null;
            var link = LinkOptions.Upstream.Scaled(20);
            PsiTask Task(int attempt) => new() { Session = "s", Attempt = attempt, Party = "bob", Peer = "alice", LinkPort = PsiPair.Port };
            bob = ctx.Service("bob", "site-b", PsiPair.Port, async (host, me) =>
            {
                using (LinkEndpoint.Bind(host, Task(1), me.Address, me.ServerTls!))
                {
                    await host.Clock.Delay(TimeSpan.FromSeconds(0.3));
                }

                using var next = LinkEndpoint.Bind(host, Task(2), me.Address, me.ServerTls!);
                received = await next.ReceiveAsync("hello", link.ReceiveTimeout, CancellationToken.None);
            }, mutual);
            alice = ctx.Service("alice", "site-a", PsiPair.Port, async (host, me) =>
            {
                await host.Clock.Delay(TimeSpan.FromSeconds(0.1));
                await new LinkClient(host, "alice", "bob", bob.Address, PsiPair.Port, link, me.TlsTo(bob)).PushAsync("s", 2, "hello", new PushAck(), CancellationToken.None);
            }, mutual);
        });

        result.AssertClean();
        Assert.NotNull(received);
    }

    [Fact]
    public void TheSameSeedGivesTheSameHash()
    {
        var config = new RunConfig("psi-multinode", 5, "random", DefectSet.None, KeepEventLog: false);

        var first = Simulation.Run(new PsiMultinodeScenario(), config);
        var second = Simulation.Run(new PsiMultinodeScenario(), config);

        Assert.Equal(first.Hash, second.Hash);
        Assert.Equal(first.Steps, second.Steps);
    }

    [Fact]
    public void WithSingleNodePartiesTheAdvertisedHeadAddressDefectIsSilent()
    {
        var defect = new DefectSet([DefectCatalogue.AdvertisedHeadAddress]);
        for (ulong seed = 1; seed <= 8; seed++)
        {
            var result = Simulation.Run(new PsiMultinodeScenario(aliceNodes: 1, bobNodes: 1), new RunConfig("psi-multinode", seed, "random", defect, KeepEventLog: false));

            Assert.True(result.Violation is null, $"seed {seed}: {result.Violation}");
            Assert.DoesNotContain(result.Events<PsiAttemptFailed>(), f => f.Event.ErrorKind == PsiErrors.Bind);
        }
    }

    [Theory]
    [InlineData(DefectCatalogue.AdvertisedHeadAddress, PsiAccounting.Explained)]
    [InlineData(DefectCatalogue.SilentActorFailure, PropagationChecker.Invariant)]
    public void TheLoopEngineFindsEachDefectAndItsSeedReplaysIt(string defect, string invariant)
    {
        var outcome = Explore.WithLoop("psi-multinode", defect: defect, iterations: 10);

        Assert.NotNull(outcome.Bug);
        Assert.Equal(invariant, outcome.Bug.Violation!.Invariant);
        var again = Simulation.Run(new PsiMultinodeScenario(), outcome.Bug.Config);
        Assert.Equal(outcome.Bug.Violation, again.Violation);
        Assert.Equal(outcome.Bug.Hash, again.Hash);
    }

    [Theory]
    [InlineData(DefectCatalogue.AdvertisedHeadAddress, PsiAccounting.Explained)]
    [InlineData(DefectCatalogue.SilentActorFailure, PropagationChecker.Invariant)]
    public void CoyoteFindsEachDefectAndItsTraceReplaysIt(string defect, string invariant)
    {
        // Two machines a party and a scripted machine death keep an iteration short; which machine the actor lands on,
        // and when the death strikes, are Coyote's choices.
        var scenario = new PsiMultinodeScenario(aliceNodes: 3, bobNodes: 3, minItems: 8, maxItems: 16, incident: PsiIncident.KillActorMachine, horizon: TimeSpan.FromSeconds(8));
        var config = new RunConfig("psi-multinode", 1, "random", new DefectSet([defect]));

        var outcome = CoyoteEngine.Explore(scenario, config, new CoyoteOptions("random", 6));

        Assert.True(outcome.Violation is not null, outcome.Summary());
        Assert.Equal(invariant, outcome.Violation.Invariant);
        var replay = CoyoteEngine.Replay(scenario, config, new CoyoteOptions("random", 1), outcome.ReproducibleTrace!);
        Assert.Equal(outcome.Violation, replay.Violation);
        Assert.Equal(outcome.Hash, replay.Hash);
    }

    /// <summary>Runs one PSI between two processes directly (no cluster, no faults): each binds its link and runs ECDH-PSI.</summary>
    private static (PsiPair Alice, PsiPair Bob) RunPair(PsiProtocol aliceProtocol, PsiProtocol bobProtocol)
    {
        (PsiPair, PsiPair) sides = default;
        var result = TestWorld.Run("psi-pair", context =>
        {
            context.Horizon = TimeSpan.FromSeconds(10);
            sides = PsiPair.Place(context, aliceProtocol, bobProtocol, AliceItems, BobItems);
        }, buggify: false);
        result.AssertClean();
        return sides;
    }
}
