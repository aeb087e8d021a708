using Bogus;
using Sim.Stack.Defects;
using Sim.Stack.Fleet;
using Sim.Worlds;

namespace Sim.Scenarios.Fleet;

/// <summary>
/// A Flower-style coordinator and its nodes on their own machines, with a driver submitting work throughout and
/// reading every result back. Faults: graceful stops and crashes of nodes, a coordinator restart, partitions, TLS
/// session expiry, certificate rotation, clock skew inside and outside the signature window; probing clients at and
/// beyond both edges of every authentication and TLS rule; scripted races: a restarted node's first run fetch cut
/// off, a node stopped while its registration is refused.
/// </summary>
/// <remarks>
/// The invariants, by class (issue 12), for the coordinator, the nodes and the driver:
/// <list type="table">
/// <item><term>accounting</term><description><see cref="TaskLedger"/> (<c>every-task-has-one-terminal-outcome</c>,
/// <c>results-read-back-are-the-tasks-results</c>): every task the driver submits is read back with its value or lost
/// for a reason the run shows; <see cref="CallChecker"/> (<c>every-failed-call-is-explained</c>,
/// <c>failures-name-their-cause</c>): a node's or the driver's call fails only when a fault touched it (a graceful stop
/// answers the calls its process still makes), and every failure a node, the driver or a probe sees has a status and
/// a detail; <see cref="NodeLogChecker"/> (<c>node-log-says-what-happened</c>): failed pings, pulls, fetches and pushes
/// reported under their own name and status, work reported only when some came; <see cref="FleetChecker"/>
/// (<c>account-counts-add-up</c>): tasks done, ping loop alive, rejections.</description></item>
/// <item><term>eligibility</term><description><see cref="EligibilityChecker"/> (<c>decisions-follow-the-model</c>):
/// tasks are queued only for nodes online by the model's clock, handed out only to the key that holds the node,
/// results stored only from it, pings, deletes and re-registrations honoured only for the holder; GetNodes lists
/// exactly the nodes online; a node is told it is unknown only when its key does not hold it; honest nodes register
/// with the interval they promise; no empty push or delivery. <see cref="RunChecker"/>
/// (<c>node-runs-tasks-with-their-run's-definition</c>): a task's result is stored only from an incarnation that
/// fetched its run, with the fab the run was created with; NotFound only for a run a restart lost.</description></item>
/// <item><term>uniqueness</term><description><see cref="FleetChecker"/> (<c>key-mapping-points-at-live-entry</c>,
/// <c>one-registration-per-key</c>, <c>a-node-that-left-stays-gone</c>); <see cref="LeaveChecker"/>
/// (<c>gracefully-stopped-node-is-forgotten</c>, <c>goodbye-only-for-a-registration-held</c>); one result per task
/// (the ledger's one outcome); one connection per client incarnation (<see cref="ResourceChecker"/>).</description></item>
/// <item><term>security</term><description><see cref="SecurityChecker"/> (<c>probe-answered-as-the-rules-say</c>,
/// <c>honest-node-judged-by-its-clock</c>, <c>rejection-logged-with-its-reason</c>): each probe's answer (accepted,
/// rejected, NotFound for an unknown run, TLS refusal) against the rule judged with the model's clocks — missing key,
/// timestamp or signature, foreign key, forged, corrupt or cut signature, stale or future stamps, replays, an
/// allow-listed key deleting or pushing for a node it does not hold (ignored); each rejection logged under the key
/// presented with the rule it broke; honest nodes with skewed clocks rejected exactly outside the window.</description></item>
/// <item><term>resources</term><description><see cref="ResourceChecker"/> (<c>server-holds-what-live-clients-justify</c>):
/// at the horizon, 15 s after the quiet point, the coordinator's connections, loops, handlers and timers.
/// <see cref="PacingChecker"/> (<c>pings-paced-and-jittered</c>, <c>ping-gives-up-at-its-call-timeout</c>,
/// <c>pulls-a-pull-interval-apart</c>, <c>registration-retries-back-off</c>): the load a node puts on the coordinator.</description></item>
/// <item><term>model-based</term><description><see cref="FleetModel"/> with <see cref="ModelChecker"/>
/// (<c>coordinator-state-matches-the-model</c>): registry, key mapping, queues, results and runs after every step; a
/// durable restart recovers a state the coordinator was in, no older than its disk flushed;
/// <see cref="DurabilityChecker"/> (<c>durable-coordinator-answers-after-flushing</c>).</description></item>
/// <item><term>liveness</term><description><see cref="FleetChecker"/> (<c>ping-loop-never-dies</c>,
/// <c>restarted-node-offered-work-within-two-ping-intervals</c>, <c>running-node-online-at-the-horizon</c>).</description></item>
/// </list>
/// </remarks>
public sealed class FleetRestartScenario(int nodes = 4, bool durable = false, TimeSpan? horizon = null) : Scenario
{
    public const int Port = 9092;

    /// <summary>Upstream 30 s and 5 s, scaled by 1/10 with the same ratio.</summary>
    public static readonly TimeSpan PingInterval = TimeSpan.FromSeconds(3);

    public static readonly TimeSpan CallTimeout = TimeSpan.FromSeconds(0.5);

    public static readonly TimeSpan PullInterval = TimeSpan.FromMilliseconds(500);

    public override string Name => "fleet-restart";

    public override string Description => $"coordinator + {nodes} nodes ({(durable ? "durable" : "in-memory")} backend), a driver reading every result back: node stops, crashes, coordinator restart, probes of every authentication and TLS rule";

    public override IReadOnlyList<string> Claims => [DefectCatalogue.StaleNodeMapping, DefectCatalogue.QueueForOfflineNode, DefectCatalogue.PullTrustsNodeId];

    /// <summary>The scenario's own fault profile.</summary>
    public static FaultProfile Profile { get; } = new()
    {
        Name = "fleet-chaos",
        Network = new NetworkOptions { DropProbability = 0.01, ReorderProbability = 0.02 },
        Faults =
        [
            new PartitionFault { PerMinute = 3, Lasting = DurationRange.Seconds(1, 4) },
            new TlsExpiryFault { PerMinute = 3 },
            new ClockSkewFault { PerMinute = 2, MaxSkew = TimeSpan.FromSeconds(3) },
        ],
    };

    public override void Build(ScenarioContext context)
    {
        context.Horizon = horizon ?? TimeSpan.FromSeconds(60);
        context.QuietAt = context.Horizon * 0.75;
        context.Faults(Profile);

        var fleet = FleetSetup.Build(context, nodes, durable, driver: true, probers: true);

        // The scripted incidents: a graceful stop and restart (DeleteNode, then CreateNode with the same
        // key), a crash and restart (no DeleteNode), a coordinator restart, and a clock pushed outside
        // the signature window for a while.
        context.At(TimeSpan.FromSeconds(8), new FaultAction.Stop("node1", TimeSpan.FromSeconds(1)));
        context.At(TimeSpan.FromSeconds(11), new FaultAction.Start("node1"));
        context.At(TimeSpan.FromSeconds(15), new FaultAction.Kill("node2"));
        context.At(TimeSpan.FromSeconds(17), new FaultAction.Start("node2"));
        context.At(TimeSpan.FromSeconds(20), new FaultAction.RotateCertificate("superlink"));
        context.At(TimeSpan.FromSeconds(24), new FaultAction.Restart("superlink"));
        FetchFailsAfterRestart(context, fleet, fleet.Nodes[1]);
        if (nodes > 3)
        {
            context.At(TimeSpan.FromSeconds(30), new FaultAction.Skew("m-node3", TimeSpan.FromSeconds(40)));
            context.At(TimeSpan.FromSeconds(34), new FaultAction.Skew("m-node3", TimeSpan.Zero));
            StopBeforeRegistered(context, fleet.Nodes[3]);
        }
    }

    /// <summary>
    /// The restarted node's first work needs its run (GetRun): the link to the coordinator is cut the moment the work
    /// arrives and stays cut past the fetch's deadline, so the fetch fails and the work is dropped, and said so.
    /// </summary>
    private static void FetchFailsAfterRestart(ScenarioContext context, FleetTopology fleet, Live node) => context.Script(async w =>
    {
        await w.Until<WorkReceived>((_, at) => at.Subject == node.Name && at.Time >= TimeSpan.FromSeconds(11));
        w.Partition(node, fleet.Coordinator);
        await w.Delay(TimeSpan.FromSeconds(3));
        w.Do(new FaultAction.Heal([node.Machine.Name], [fleet.Coordinator.Machine.Name]));
    });

    /// <summary>
    /// A node crashes and comes straight back while its old registration is online, so its CreateNode is refused; it is
    /// stopped gracefully during the backoff — at once, or (drawn per seed) exactly when the retry falls due — before it
    /// ever registered (it must not say goodbye), and started again.
    /// </summary>
    private static void StopBeforeRegistered(ScenarioContext context, Live node)
    {
        var stopAfter = context.Workload.NextDouble() < 0.5 ? TimeSpan.Zero : PacingChecker.FirstBackoff;
        context.Script(async w =>
        {
            await w.At(TimeSpan.FromSeconds(38));
            w.Restart(node);
            await w.Until<CreateNodeRejected>((_, at) => at.Subject == node.Name);
            await w.Delay(stopAfter);
            w.Stop(node, TimeSpan.FromSeconds(1));
            await w.Delay(TimeSpan.FromSeconds(1.5));
            w.Start(node);
        });
    }
}
