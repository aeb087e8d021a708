using Grpc.Core;
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
            Assert.Equal((SleeperSpec.ActorId, ActorPhase.Failed, ClusterHeadServer.KilledKind, "killed by its driver before the head took it in"), (created?.ActorId, created?.Phase, created?.ErrorKind, created?.Cause));
            Assert.Empty(Events<ActorCreated>(result));
            Assert.Empty(Events<ActorPlaced>(result));
            Assert.Empty(Events<ActorStarted>(result));
            var killed = Assert.Single(Events<ActorKilled>(result));
            Assert.Equal(("unknown", "", true), (killed.Event.Was, killed.Event.Machine, killed.Event.Stopped));
        }
    }

    [Fact]
    [Trait("Category", InvariantOracleTests.Category)]
    public void AKillOfARunningActorStopsItOnItsNodeBeforeTheDriverHearsAndFreesItsSlots()
    {
        for (ulong seed = 1; seed <= 6; seed++)
        {
            ActorState? after = null;
            var result = Run("cluster-kill-running", ctx => KillCluster(ctx, async (host, head) =>
            {
                await host.Clock.Delay(TimeSpan.FromSeconds(0.5));
                var state = await RunningAsync(host, head, SleeperSpec);
                host.Log.Event(new Note("test.running", SleeperSpec.ActorId));
                await head.KillActorAsync(new ActorQuery { ActorId = SleeperSpec.ActorId }, deadline: host.Clock.UtcNow + TimeSpan.FromMilliseconds(500));
                host.Log.Event(new Note("test.killed", SleeperSpec.ActorId));
                after = await head.WaitActorAsync(new ActorQuery { ActorId = SleeperSpec.ActorId, Seen = ActorPhase.Running }, deadline: host.Clock.UtcNow + TimeSpan.FromMilliseconds(500));
            }, pauseHead: false), seed);

            AssertClean(result);

            // The head wakes a driver waiting on a pending actor as soon as its node started it, not at the wait's timeout (250 ms).
            var started = Assert.Single(Events<ActorStarted>(result));
            var running = Assert.Single(result.Log.Entries, e => e.Event is Note { NoteKind: "test.running" });
            Assert.InRange(running.Time - started.Time, TimeSpan.Zero, TimeSpan.FromMilliseconds(100));
            Assert.Equal((ActorPhase.Failed, ClusterHeadServer.KilledKind, "killed by its driver"), (after?.Phase, after?.ErrorKind, after?.Cause));
            var record = Assert.Single(Events<ActorKilled>(result));
            Assert.Equal(("running", started.Event.Machine, true), (record.Event.Was, record.Event.Machine, record.Event.Stopped));
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

    [Fact]
    [Trait("Category", InvariantOracleTests.Category)]
    public void AKillOfAnActorOnANodeCutOffFromTheHeadAnswersOnceTheNodeIsDeclaredDead()
    {
        // The head cannot reach the actor's node: it asks again each health-check tick, and answers the kill (not
        // confirmed stopped) once it declares the node dead; the node, having lost the head, stops the actor itself.
        for (ulong seed = 1; seed <= 4; seed++)
        {
            var result = Run("cluster-kill-cut-off", ctx => SleeperOnWorker(
                ctx,
                async (host, client) =>
                {
                    await host.Clock.Delay(TimeSpan.FromSeconds(1.1) - host.Clock.Elapsed);
                    await client.KillActorAsync(new ActorQuery { ActorId = SleeperSpec.ActorId }, deadline: host.Clock.UtcNow + TimeSpan.FromSeconds(2));
                    host.Log.Event(new Note("test.killed", SleeperSpec.ActorId));
                },
                async (w, head, worker) =>
                {
                    w.Partition(worker, head);
                    await w.Delay(TimeSpan.FromSeconds(1.5));
                    w.Heal();
                }), seed);

            AssertClean(result);
            var record = Assert.Single(Events<ActorKilled>(result));
            Assert.Equal(("running", false), (record.Event.Was, record.Event.Stopped));
            var dead = Assert.Single(Events<NodeDeclaredDead>(result), e => e.Event.Machine == record.Event.Machine);
            var killed = Assert.Single(result.Log.Entries, e => e.Event is Note { NoteKind: "test.killed" });
            Assert.True(dead.Step <= record.Step && record.Step <= killed.Step, "the kill answered before the head gave its node up");
            Assert.Single(result.Log.Entries, e => e.Event is Note { NoteKind: "test.actor-stopped" });

            // After the heal the agent registers once more, and that node stays: its registration requests held in the
            // partition and delivered late are answered as the retries they are (the same node) or refused as older,
            // never taken as new registrations that declare the agent's current node dead.
            var again = Events<NodeRegistered>(result).Where(e => e.Event.Machine == record.Event.Machine && e.Step > dead.Step).ToList();
            Assert.Single(again);
            Assert.DoesNotContain(Events<NodeDeclaredDead>(result), e => e.Event.NodeId == again[0].Event.NodeId);
        }
    }

    [Fact]
    [Trait("Category", InvariantOracleTests.Category)]
    public void AKillOfAnActorStillWaitingForANodeEndsItAndNothingIsPlacedOrStarted()
    {
        // Two CPUs asked, one slot a machine: the actor waits for a node (up to the placement timeout) when it is killed.
        for (ulong seed = 1; seed <= 4; seed++)
        {
            ActorState? after = null;
            var result = Run("cluster-kill-pending", ctx => KillCluster(ctx, async (host, head) =>
            {
                await host.Clock.Delay(TimeSpan.FromSeconds(0.5));
                var big = new ActorSpec { ActorId = "job-big", ActorClass = "sleeper", NumCpus = 2 };
                var state = await head.CreateActorAsync(big, deadline: host.Clock.UtcNow + TimeSpan.FromMilliseconds(250));
                Assert.Equal(ActorPhase.Pending, state.Phase);
                await host.Clock.Delay(TimeSpan.FromMilliseconds(300));
                await head.KillActorAsync(new ActorQuery { ActorId = big.ActorId }, deadline: host.Clock.UtcNow + TimeSpan.FromMilliseconds(250));
                await host.Clock.Delay(TimeSpan.FromSeconds(1.5));
                after = await head.WaitActorAsync(new ActorQuery { ActorId = big.ActorId, Seen = ActorPhase.Pending }, deadline: host.Clock.UtcNow + TimeSpan.FromMilliseconds(250));
            }, pauseHead: false), seed);

            AssertClean(result);
            Assert.Equal((ActorPhase.Failed, ClusterHeadServer.KilledKind, "killed by its driver"), (after?.Phase, after?.ErrorKind, after?.Cause));
            var record = Assert.Single(Events<ActorKilled>(result));
            Assert.Equal(("pending", "", true), (record.Event.Was, record.Event.Machine, record.Event.Stopped));
            Assert.Empty(Events<ActorPlaced>(result));
            Assert.Empty(Events<ActorStarted>(result));
            Assert.Single(Events<ActorEnded>(result));
        }
    }

    [Fact]
    [Trait("Category", InvariantOracleTests.Category)]
    public void AKillOfAnActorThatAlreadyEndedChangesNothing()
    {
        for (ulong seed = 1; seed <= 6; seed++)
        {
            ActorState? after = null;
            var result = Run("cluster-kill-ended", ctx => KillCluster(ctx, async (host, head) =>
            {
                await host.Clock.Delay(TimeSpan.FromSeconds(0.5));
                var quick = new ActorSpec { ActorId = "job-quick", ActorClass = "quick", NumCpus = 1 };
                var state = await head.CreateActorAsync(quick, deadline: host.Clock.UtcNow + TimeSpan.FromMilliseconds(250));
                while (state.Phase is ActorPhase.Pending or ActorPhase.Running)
                {
                    state = await head.WaitActorAsync(new ActorQuery { ActorId = quick.ActorId, Seen = state.Phase }, deadline: host.Clock.UtcNow + TimeSpan.FromMilliseconds(500));
                }

                Assert.Equal(ActorPhase.Finished, state.Phase);
                await head.KillActorAsync(new ActorQuery { ActorId = quick.ActorId }, deadline: host.Clock.UtcNow + TimeSpan.FromMilliseconds(500));
                after = await head.WaitActorAsync(new ActorQuery { ActorId = quick.ActorId, Seen = ActorPhase.Pending }, deadline: host.Clock.UtcNow + TimeSpan.FromMilliseconds(500));
            }, pauseHead: false), seed);

            AssertClean(result);
            Assert.Equal((ActorPhase.Finished, ""), (after?.Phase, after?.ErrorKind));
            var record = Assert.Single(Events<ActorKilled>(result));
            Assert.Equal(("finished", true), (record.Event.Was, record.Event.Stopped));
            Assert.Empty(Events<ActorStopped>(result));
            Assert.Single(Events<ActorEnded>(result));
        }
    }

    [Fact]
    [Trait("Category", InvariantOracleTests.Category)]
    public void ANodeRemembersAStopSoAStartStillOnItsWayStartsNothingAndAStartTwiceStartsOnce()
    {
        // The head's StartActor for an actor can reach the node after its StopActor (the start's reply was lost and the
        // head asks again while the driver kills): the node must refuse it. StartActor itself is idempotent.
        for (ulong seed = 1; seed <= 4; seed++)
        {
            Live<NodeAgent>? worker = null;
            StatusCode? lateStart = null;
            var lateDetail = "";
            var result = Run("cluster-node-stop-then-start", ctx => worker = KillCluster(ctx, async (host, _) =>
            {
                await host.Clock.Delay(TimeSpan.FromSeconds(0.5));
                var nodeId = worker!.Current!.NodeId!;
                var agent = new Sim.Stack.Cluster.Contracts.NodeAgent.NodeAgentClient(new Sim.Stack.Rpc.RpcChannel(host, worker.Address, PsiTopology.NodePort, DriverTls(ctx)));
                var deadline = () => host.Clock.UtcNow + TimeSpan.FromMilliseconds(250);
                var late = new ActorSpec { ActorId = "late", ActorClass = "sleeper", NumCpus = 1, NodeId = nodeId };
                await agent.StopActorAsync(late, deadline: deadline());
                try
                {
                    await agent.StartActorAsync(late, deadline: deadline());
                }
                catch (RpcException e)
                {
                    (lateStart, lateDetail) = (e.StatusCode, e.Status.Detail);
                }

                var twice = new ActorSpec { ActorId = "twice", ActorClass = "sleeper", NumCpus = 1, NodeId = nodeId };
                await agent.StartActorAsync(twice, deadline: deadline());
                await agent.StartActorAsync(twice, deadline: deadline());
                await agent.StopActorAsync(twice, deadline: deadline());
            }, pauseHead: false).Worker, seed);

            AssertClean(result);
            Assert.Equal(StatusCode.FailedPrecondition, lateStart);
            Assert.StartsWith("actor late was killed: the head stopped it on node", lateDetail, StringComparison.Ordinal);
            Assert.Equal(["twice"], Events<ActorStarted>(result).Select(e => e.Event.ActorId));
            Assert.Equal([("late", false), ("twice", true)], Events<ActorStopped>(result).Select(e => (e.Event.ActorId, e.Event.WasRunning)));
        }
    }

    [Fact]
    [Trait("Category", InvariantOracleTests.Category)]
    public void ANodeThatLosesItsHeadStopsItsActorsCodeAndTheHeadEndsThem()
    {
        // The worker is cut off from the head for longer than the node timeout: the agent stops what runs there (the
        // actor's code sees its stop token: an actor left running would hold its ports), and the head fails the actor.
        for (ulong seed = 1; seed <= 4; seed++)
        {
            var result = Run("cluster-node-loses-head", ctx => SleeperOnWorker(
                ctx,
                (_, _) => Task.CompletedTask,
                async (w, head, worker) =>
                {
                    w.Partition(worker, head);
                    await w.Delay(TimeSpan.FromSeconds(1));
                    w.Heal();
                }), seed);

            AssertClean(result);
            var lost = Assert.Single(Events<HeadLost>(result));
            Assert.Equal(1, lost.Event.ActorsStopped);
            var stopped = Assert.Single(result.Log.Entries, e => e.Event is Note { NoteKind: "test.actor-stopped" });
            Assert.InRange(stopped.Time, lost.Time, TimeSpan.FromSeconds(2));
            Assert.Contains(Events<ActorEnded>(result), e => e.Event.ActorId == SleeperSpec.ActorId && e.Event.ErrorKind == "node-died");
        }
    }

    [Fact]
    [Trait("Category", InvariantOracleTests.Category)]
    public void AnAgentThatRegistersAgainEndsItsOldIncarnationsNodeAndActorsAtOnce()
    {
        // The worker's agent restarts well within the node timeout: its new registration tells the head that the old
        // node and the actor on it are gone, without waiting for the old node's heartbeats to lapse.
        for (ulong seed = 1; seed <= 4; seed++)
        {
            var machine = "";
            var result = Run("cluster-node-registers-again", ctx => machine = SleeperOnWorker(
                ctx,
                (_, _) => Task.CompletedTask,
                (w, _, worker) =>
                {
                    w.Restart(worker);
                    return Task.CompletedTask;
                }).Worker.Machine.Name, seed);

            AssertClean(result);
            var registered = Events<NodeRegistered>(result).Where(e => e.Event.Machine == machine).ToList();
            Assert.Equal(2, registered.Count);
            var dead = Assert.Single(Events<NodeDeclaredDead>(result), e => e.Event.NodeId == registered[0].Event.NodeId);
            Assert.True(dead.Step <= registered[1].Step, "the old node outlived its agent's new registration");
            var ended = Assert.Single(Events<ActorEnded>(result), e => e.Event.ActorId == SleeperSpec.ActorId);
            Assert.Equal("node-died", ended.Event.ErrorKind);
            Assert.Contains("its agent registered again (incarnation 2)", ended.Event.Cause, StringComparison.Ordinal);
        }
    }

    [Fact]
    [Trait("Category", InvariantOracleTests.Category)]
    public void AHeadThatRestartedAnswersNotFoundForAnActorItNoLongerKnows()
    {
        for (ulong seed = 1; seed <= 4; seed++)
        {
            RpcException? answer = null;
            var result = Run("cluster-head-forgot", ctx => SleeperOnWorker(
                ctx,
                async (host, client) =>
                {
                    await host.Clock.Delay(TimeSpan.FromSeconds(1.5) - host.Clock.Elapsed);
                    while (answer is null or { StatusCode: StatusCode.Unavailable or StatusCode.DeadlineExceeded })
                    {
                        await host.Clock.Delay(TimeSpan.FromMilliseconds(100));
                        answer = await Assert.ThrowsAsync<RpcException>(async () => await client.WaitActorAsync(new ActorQuery { ActorId = SleeperSpec.ActorId, Seen = ActorPhase.Running }, deadline: host.Clock.UtcNow + TimeSpan.FromMilliseconds(250)));
                    }
                },
                (w, head, _) =>
                {
                    w.Restart(head);
                    return Task.CompletedTask;
                }), seed);

            AssertClean(result);
            Assert.Equal(StatusCode.NotFound, answer?.StatusCode);
            Assert.Equal($"the head of alice knows no actor {SleeperSpec.ActorId} (it restarted since it was created)", answer?.Status.Detail);
        }
    }

    private static readonly ActorSpec SleeperSpec = new() { ActorId = "job-a1", ActorClass = "sleeper", NumCpus = 1 };

    /// <summary>
    /// <see cref="KillCluster"/> whose driver runs the sleeper on the worker from 0.5 s and then goes on with
    /// <paramref name="then"/>, while at 1 s a script strikes the head or the worker with <paramref name="fault"/>.
    /// </summary>
    private static (Live<PartyHead> Head, Live<NodeAgent> Worker) SleeperOnWorker(
        ScenarioContext ctx, Func<IHost, ClusterHead.ClusterHeadClient, Task> then, Func<Script, Live<PartyHead>, Live<NodeAgent>, Task> fault)
    {
        var (head, worker) = KillCluster(ctx, async (host, client) =>
        {
            await host.Clock.Delay(TimeSpan.FromSeconds(0.5));
            await RunningAsync(host, client, OnWorker(ctx));
            await then(host, client);
        }, pauseHead: false);
        ctx.Script(
            async w =>
            {
                await w.Delay(TimeSpan.FromSeconds(1));
                await fault(w, head, worker);
            },
            "fault");
        return (head, worker);
    }

    /// <summary>The sleeper, kept off the head's machine (so it runs on the worker).</summary>
    private static ActorSpec OnWorker(ScenarioContext ctx) => new(SleeperSpec) { AvoidMachines = { HeadMachine(ctx) } };

    private static string HeadMachine(ScenarioContext ctx) => ctx.World.Processes.Single(p => p.Name == "alice-head").Machine.Name;

    private static TlsClientOptions DriverTls(ScenarioContext ctx) =>
        new("alice", ctx.Trust, ctx.World.Certificates["alice"].Current);

    /// <summary>Creates the actor and waits until the head says it runs.</summary>
    private static async Task<ActorState> RunningAsync(IHost host, ClusterHead.ClusterHeadClient head, ActorSpec spec)
    {
        var state = await head.CreateActorAsync(spec, deadline: host.Clock.UtcNow + TimeSpan.FromMilliseconds(250));
        while (state.Phase == ActorPhase.Pending)
        {
            state = await head.WaitActorAsync(new ActorQuery { ActorId = spec.ActorId, Seen = state.Phase }, deadline: host.Clock.UtcNow + TimeSpan.FromMilliseconds(500));
        }

        Assert.Equal(ActorPhase.Running, state.Phase);
        return state;
    }

    /// <summary>A party's head (with its agent) and a worker, a driver on the head machine running <paramref name="drive"/>; the head paused from 0.5 s to 1.5 s when asked.</summary>
    private static (Live<PartyHead> Head, Live<NodeAgent> Worker) KillCluster(ScenarioContext ctx, Func<IHost, ClusterHead.ClusterHeadClient, Task> drive, bool pauseHead)
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
            ["quick"] = (_, _) => Task.FromResult<byte[]>([]),
        };
        ClusterOptions Cluster(string head) => PsiMultinodeScenario.ClusterOf("alice", head, tls, DriverTls(ctx));
        var head = ctx.Service("alice-head", "alice", PsiTopology.HeadPort, (host, me) =>
            new PartyHead(ClusterHeadServer.Start(host, Cluster(me.Address), new Dictionary<int, ForwardedPort>()), NodeAgent.Start(host, Cluster(me.Address), me.Address, 1, classes)));
        var worker = ctx.Service("alice-w1", "alice", PsiTopology.NodePort, (host, me) => NodeAgent.Start(host, Cluster(head.Address), me.Address, 1, classes));
        _ = ctx.Service("alice-driver", "alice", 9000, (host, _) =>
        {
            var client = new ClusterHead.ClusterHeadClient(new Sim.Stack.Rpc.RpcChannel(host, head.Address, PsiTopology.HeadPort, DriverTls(ctx)));
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
        return (head, worker);
    }

    private static RunResult Run(string name, Action<ScenarioContext> build, ulong seed) =>
        Simulation.Run(new InlineScenario(name, build), new RunConfig(name, seed, "random", DefectSet.None));

    private static List<LogEntryOf<T>> Events<T>(RunResult result)
        where T : SimEvent =>
        [.. result.Log.Entries.Where(e => e.Event is T).Select(e => new LogEntryOf<T>((T)e.Event, e.Step, e.Time))];

    private static void AssertClean(RunResult result)
    {
        Assert.True(result.Violation is null, $"unexpected violation: {result.Violation}");
        Assert.DoesNotContain(result.Log.Entries, e => e.Event is ProcessCrashed or LoopCrashed);
    }

    private sealed record LogEntryOf<T>(T Event, long Step, TimeSpan Time);
}
