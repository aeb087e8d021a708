using Sim.Engine;
using Sim.Scenarios;
using Sim.Scenarios.Psi;
using Sim.Stack.Cluster;
using Sim.Stack.Cluster.Contracts;
using Sim.Stack.Defects;
using Sim.Stack.Host;
using Sim.Worlds;
using NodeAgent = Sim.Stack.Cluster.NodeAgent;

namespace Sim.Oracles;

/// <summary>
/// Ray's kill (src/Cluster): a driver kills an actor it gave up on, through the head, which ends it (slots and proxy
/// freed), stops it on its node before answering, and remembers an id it has not taken in yet so a create that arrives
/// later never starts it. psi-multinode reaches the kill only when a head goes silent at the right moment; these
/// scripted runs reach each branch on every seed.
/// </summary>
public sealed class ClusterKillTests
{
    [Fact]
    [Trait("Category", InvariantOracleTests.Category)]
    public void AKillOfACreateStillQueuedAtAPausedHeadKeepsTheActorFromEverStarting()
    {
        // The driver's create and then its kill wait at a paused head (both calls time out): once the head resumes, the
        // actor must never start on a node, and the driver reads it as killed (psi-multinode, clean campaign seed
        // 20261201000002: an actor created after its attempt was given up held the link port against the next attempt).
        for (ulong seed = 1; seed <= 6; seed++)
        {
            ActorState? seen = null;
            var result = Run("cluster-kill-queued-create", ctx => KillCluster(ctx, async (host, head) =>
            {
                await host.Clock.Delay(TimeSpan.FromSeconds(0.6));
                var create = await Assert.ThrowsAsync<Grpc.Core.RpcException>(async () => await head.CreateActorAsync(SleeperSpec, deadline: host.Clock.UtcNow + TimeSpan.FromMilliseconds(250)));
                var kill = await Assert.ThrowsAsync<Grpc.Core.RpcException>(async () => await head.KillActorAsync(new ActorQuery { ActorId = SleeperSpec.ActorId }, deadline: host.Clock.UtcNow + TimeSpan.FromMilliseconds(250)));
                Assert.Equal(Grpc.Core.StatusCode.DeadlineExceeded, create.StatusCode);
                Assert.Equal(Grpc.Core.StatusCode.DeadlineExceeded, kill.StatusCode);
                await host.Clock.Delay(TimeSpan.FromSeconds(1.5));
                seen = await head.WaitActorAsync(new ActorQuery { ActorId = SleeperSpec.ActorId, Seen = ActorPhase.Running }, deadline: host.Clock.UtcNow + TimeSpan.FromMilliseconds(250));
            }, pauseHead: true), seed);

            AssertClean(result);
            Assert.Equal((ActorPhase.Failed, ClusterHeadServer.KilledKind), (seen?.Phase, seen?.ErrorKind));
            Assert.Empty(Events<ActorStarted>(result));
            Assert.Contains(Events<ActorKilled>(result), k => k.Event.ActorId == SleeperSpec.ActorId && k.Event.Stopped);
        }
    }

    [Fact]
    [Trait("Category", InvariantOracleTests.Category)]
    public void AKillThatOvertakesItsCreateIsRememberedAndTheCreateStartsNothing()
    {
        // The kill reaches the head before the create it follows (another connection, a reordering): the head remembers
        // the id as killed, so the late create answers the killed state and nothing is placed or started.
        for (ulong seed = 1; seed <= 6; seed++)
        {
            ActorState? created = null;
            var result = Run("cluster-kill-before-create", ctx => KillCluster(ctx, async (host, head) =>
            {
                await host.Clock.Delay(TimeSpan.FromSeconds(0.5));
                await head.KillActorAsync(new ActorQuery { ActorId = SleeperSpec.ActorId }, deadline: host.Clock.UtcNow + TimeSpan.FromMilliseconds(250));
                created = await head.CreateActorAsync(SleeperSpec, deadline: host.Clock.UtcNow + TimeSpan.FromMilliseconds(250));
                await host.Clock.Delay(TimeSpan.FromSeconds(1));
            }, pauseHead: false), seed);

            AssertClean(result);
            Assert.Equal((ActorPhase.Failed, ClusterHeadServer.KilledKind), (created?.Phase, created?.ErrorKind));
            Assert.Empty(Events<ActorCreated>(result));
            Assert.Empty(Events<ActorPlaced>(result));
            Assert.Empty(Events<ActorStarted>(result));
            var killed = Assert.Single(Events<ActorKilled>(result));
            Assert.Equal(("unknown", true), (killed.Event.Was, killed.Event.Stopped));
        }
    }

    [Fact]
    [Trait("Category", InvariantOracleTests.Category)]
    public void AKillOfARunningActorStopsItOnItsNodeBeforeTheDriverHearsAndFreesItsSlots()
    {
        for (ulong seed = 1; seed <= 6; seed++)
        {
            var result = Run("cluster-kill-running", ctx => KillCluster(ctx, async (host, head) =>
            {
                await host.Clock.Delay(TimeSpan.FromSeconds(0.5));
                var state = await head.CreateActorAsync(SleeperSpec, deadline: host.Clock.UtcNow + TimeSpan.FromMilliseconds(250));
                while (state.Phase == ActorPhase.Pending)
                {
                    state = await head.WaitActorAsync(new ActorQuery { ActorId = SleeperSpec.ActorId, Seen = state.Phase }, deadline: host.Clock.UtcNow + TimeSpan.FromMilliseconds(500));
                }

                Assert.Equal(ActorPhase.Running, state.Phase);
                await head.KillActorAsync(new ActorQuery { ActorId = SleeperSpec.ActorId }, deadline: host.Clock.UtcNow + TimeSpan.FromMilliseconds(500));
                host.Log.Event(new Note("test.killed", SleeperSpec.ActorId));
            }, pauseHead: false), seed);

            AssertClean(result);
            var killed = Assert.Single(result.Log.Entries, e => e.Event is Note { NoteKind: "test.killed" });
            // The actor's own code saw the stop (a stop that only forgot the actor would leave it running, holding its ports).
            var ended = Assert.Single(result.Log.Entries, e => e.Event is Note { NoteKind: "test.actor-stopped" });
            Assert.True(ended.Step <= killed.Step, "the driver heard of the kill before the actor's code was stopped");
            var stopped = Assert.Single(Events<ActorStopped>(result));
            Assert.True(stopped.Event.WasRunning);
            Assert.True(stopped.Step <= killed.Step, "the driver heard of the kill before the node stopped the actor");
            Assert.Contains(Events<ActorEnded>(result), e => e.Event.ActorId == SleeperSpec.ActorId && e.Event.ErrorKind == ClusterHeadServer.KilledKind);
        }
    }

    private static readonly ActorSpec SleeperSpec = new() { ActorId = "job-a1", ActorClass = "sleeper", NumCpus = 1 };

    /// <summary>A party's head (with its agent) and a worker, a driver on the head machine running <paramref name="drive"/>; the head paused from 0.5 s to 1.5 s when asked.</summary>
    private static void KillCluster(ScenarioContext ctx, Func<IHost, ClusterHead.ClusterHeadClient, Task> drive, bool pauseHead)
    {
        ctx.Horizon = TimeSpan.FromSeconds(4);
        var site = ctx.Site("alice");
        var slot = ctx.Certificate("alice", site.Authority, ["alice"], TimeSpan.FromDays(30));
        var tls = new TlsServerOptions(() => slot.Current, PsiTopology.TrustOf(site));
        var classes = new Dictionary<string, ActorMain>(StringComparer.Ordinal)
        {
            ["sleeper"] = async (host, actor) =>
            {
                try
                {
                    await host.Clock.Delay(TimeSpan.FromSeconds(30), actor.Stopped);
                }
                catch (OperationCanceledException)
                {
                    host.Log.Event(new Note("test.actor-stopped", actor.ActorId));
                    throw;
                }

                return [];
            },
        };
        ClusterOptions Cluster(string head) => PsiMultinodeScenario.ClusterOf("alice", head, tls, new TlsClientOptions("alice", ctx.Trust, slot.Current));
        var head = ctx.Service("alice-head", "alice", PsiTopology.HeadPort, (host, me) =>
            new PartyHead(ClusterHeadServer.Start(host, Cluster(me.Address), new Dictionary<int, ForwardedPort>()), NodeAgent.Start(host, Cluster(me.Address), me.Address, 1, classes)));
        var worker = ctx.Service("alice-w1", "alice", PsiTopology.NodePort, (host, me) => NodeAgent.Start(host, Cluster(head.Address), me.Address, 1, classes));
        _ = ctx.Service("alice-driver", "alice", 9000, (host, _) =>
        {
            var client = new ClusterHead.ClusterHeadClient(new Sim.Stack.Rpc.RpcChannel(host, head.Address, PsiTopology.HeadPort, new TlsClientOptions("alice", ctx.Trust, slot.Current)));
            host.Spawn("drive", _ => drive(host, client));
            return client;
        });
        if (pauseHead)
        {
            ctx.Script(
                async w =>
                {
                    await w.Delay(TimeSpan.FromSeconds(0.5));
                    w.Pause(head.Name);
                    await w.Delay(TimeSpan.FromSeconds(1));
                    w.Resume(head.Name);
                },
                "pause-head");
        }

        ctx.Eventually("no-actor-runs-after-its-kill", () => worker.Current?.Running.Count > 0 || head.Current?.Agent.Running.Count > 0
            ? $"still running: {string.Join(", ", (worker.Current?.Running ?? []).Concat(head.Current?.Agent.Running ?? []))}"
            : null);
    }

    private static RunResult Run(string name, Action<ScenarioContext> build, ulong seed) =>
        Simulation.Run(new InlineScenario(name, build), new RunConfig(name, seed, "random", DefectSet.None));

    private static List<LogEntryOf<T>> Events<T>(RunResult result)
        where T : SimEvent =>
        [.. result.Log.Entries.Where(e => e.Event is T).Select(e => new LogEntryOf<T>((T)e.Event, e.Step))];

    private static void AssertClean(RunResult result)
    {
        Assert.True(result.Violation is null, $"unexpected violation: {result.Violation}");
        Assert.DoesNotContain(result.Log.Entries, e => e.Event is ProcessCrashed or LoopCrashed);
    }

    private sealed record LogEntryOf<T>(T Event, long Step);
}
