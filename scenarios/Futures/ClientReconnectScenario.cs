using Bogus;
using Sim.Stack.Defects;
using Sim.Stack.Futures;
using Sim.Worlds;

namespace Sim.Scenarios.Futures;

/// <summary>
/// Dask-style clients holding many futures on one scheduler (mTLS: a client acts only under ids named after its
/// certificate), with users cancelling futures (with their own reasons, or none) while results arrive and while the
/// client reconnects, closing clients (while connecting, or at the end with work in flight) and submitting to closed
/// ones, and a hostile client probing every rule. Faults: scheduler crashes and restarts (one outlasting the
/// reconnect deadline), a scheduler restart asked for by an admin, partitions, connection resets and slow (clogged)
/// links between clients and scheduler.
/// <para>Invariants by class (components: the scheduler and the clients; checkers in this folder, one per family):</para>
/// <list type="table">
/// <listheader><term>class</term><description>invariant (checker): what it covers</description></listheader>
/// <item><term>accounting</term><description><c>every-outcome-read-back-matches-the-scheduler</c>, <c>no-future-waits-forever</c>
/// (<see cref="FuturesAccounting"/>): every future a user submitted is read back by the user exactly once, a result equal to
/// the user's own computation and to what the scheduler computed for that key, an error only from a computation that raises
/// and that the scheduler saw raise, a cancellation only for a reason that happened to it while pending;
/// <c>scheduler-holds-no-task-for-a-cancelled-future</c>: once settled, no task for a cancelled or forgotten future;
/// <c>every-user-reads-back-results</c> (<see cref="FuturesChecker"/>): every user has read back at least one result by the horizon.</description></item>
/// <item><term>eligibility</term><description><c>scheduler-matches-its-model</c> (<see cref="SchedulerModel"/>): a task is accepted only for a
/// client with an open session and only with that session's current token (not one a restart ended), and reported to its
/// owner's current session; <c>client-matches-its-model</c> (<see cref="ClientModel"/>): a future finishes only with a result
/// the scheduler computed for the client's current session; <c>reconnect-leaves-no-stale-futures-within-deadline</c>
/// (<see cref="FuturesChecker"/>): no future of an older generation survives a reconnect, and a client is running or closed
/// within the reconnect deadline judged by the world's clock; <c>reconnect-retries-at-its-interval-until-the-deadline</c>
/// (<see cref="FuturesChecker"/>): reconnect attempts at least the retry interval apart (unless BUGGIFY fired), no give-up
/// before the reconnect deadline.</description></item>
/// <item><term>uniqueness</term><description><c>one-task-and-one-result-per-key</c> (<see cref="SchedulerModel"/>): one session per client,
/// a session token never given twice, one task and one result per key, no task again after its cancel in the same session;
/// <c>one-outcome-per-future</c> (<see cref="ClientModel"/>, <see cref="FuturesAccounting"/>): a future never changes its outcome
/// once told or read; <c>a-submission-is-sent-until-taken-at-the-retry-interval</c> (<see cref="FuturesSubmissions"/>): a
/// submission the scheduler took is never sent again, a failed one is retried after the retry interval and not once its
/// generation ended.</description></item>
/// <item><term>security probes</term><description><c>security-probe-answered-as-the-rule-says</c> (<see cref="FuturesSecurity"/>,
/// <see cref="FuturesProbe"/>): client ids just outside (another user's, the bare identity, a trailing dot, a longer name with the
/// same prefix) are refused and the smallest legal one works end to end; forged and missing sessions, another user's submit
/// and cancel are refused; TLS without a client certificate, from an untrusted authority, expired and not yet valid by 2 s on
/// the scheduler's (possibly skewed) clock are refused, a certificate valid for 2 s either side is accepted; a refusal's detail
/// says which client and why; every probe must be answered conclusively at least once. (No timestamps in this protocol: clock skew reaches it only through certificates.)</description></item>
/// <item><term>resources</term><description><c>scheduler-holds-nothing-for-closed-or-gone-clients</c> (<see cref="FuturesResources"/>):
/// at the horizon, sessions and open report streams (RpcAccepted/RpcHandled) only for running clients, each on the session
/// the client holds; closed clients hold and buffer nothing; no connection from a dead process; loops no more than the
/// listener, connections and running tasks justify (<c>World.Resources</c>).</description></item>
/// <item><term>model-based</term><description><c>scheduler-matches-its-model</c>, <c>client-matches-its-model</c>: reference models of the
/// scheduler (sessions, tokens, tasks, states, results, restarts) and of every client (status, futures held, buffered, token,
/// generations that only grow, sweeps that tell what they cancelled, futures pending at a restart owed a cancellation for it),
/// driven by the same typed events, compared after every step.</description></item>
/// <item><term>API answers</term><description><c>api-answers-only-documented-errors</c> (<see cref="FuturesChecker"/>): the calls a user
/// makes throw only their documented errors; a closed client refuses a submit with a ClientClosedException naming it (and an open
/// one never does); a connect answers within its timeout and a failed one names the scheduler; an honest cancel fails only
/// unavailable, cancelled, for a session that is over, or past its deadline; <c>users-read-what-upstream-says</c>
/// (<see cref="FuturesMessages"/>): error texts, grouped errors and a printed future read as upstream's;
/// <c>an-answered-restart-restarted-the-scheduler</c> (<see cref="FuturesChecker"/>).</description></item>
/// <item><term>reasons (SCENARIOS.md 2)</term><description><c>pending-futures-cancelled-with-connection-lost-reason</c>,
/// <c>user-cancel-reason-is-the-reason-seen</c> (<see cref="FuturesChecker"/>): the user's reason and message, or "unknown" and
/// none for a cancel that gave neither, are what the user reads and what the scheduler is told.</description></item>
/// </list>
/// </summary>
public sealed class ClientReconnectScenario(int clients = 3, TimeSpan? horizon = null) : Scenario
{
    private const int Port = 8786;

    /// <summary>Upstream 30 s, scaled to the run's minute.</summary>
    public static readonly TimeSpan ReconnectDeadline = TimeSpan.FromSeconds(5);

    /// <summary>Slack on top of the deadline: one retry interval and one scheduling round.</summary>
    public static readonly TimeSpan Epsilon = TimeSpan.FromSeconds(0.5);

    /// <summary>Longest computation a user submits.</summary>
    public static readonly TimeSpan LongestTask = FuturesWorkload.Chaos.LongestTask;

    public override string Name => "client-reconnect";

    public override string Description => $"{clients} Dask-style clients with many futures on one scheduler: reconnects, scheduler crashes and restarts, user cancels with reasons";

    public override IReadOnlyList<string> Claims =>
        [DefectCatalogue.BareCancel, DefectCatalogue.DroppedCancelReason, DefectCatalogue.ResubmitAfterCancel, DefectCatalogue.StaleSessionSubmit, DefectCatalogue.ReplacedSessionKeepsKeys, DefectCatalogue.CancelAfterResult];

    /// <summary>The scenario's own fault profile.</summary>
    public static FaultProfile Profile { get; } = new()
    {
        Name = "client-chaos",
        Network = new NetworkOptions { DropProbability = 0.005, ReorderProbability = 0.02 },
        Faults =
        [
            new PartitionFault { PerMinute = 4, Lasting = DurationRange.Seconds(1, 8), Modes = [PartitionMode.IsolateOne, PartitionMode.Symmetric, PartitionMode.Asymmetric] },
            new ConnectionResetFault { PerMinute = 4 },
            new ClogFault { PerMinute = 6, OneWay = true, Lasting = DurationRange.Seconds(0.1, 2) },
        ],
    };

    public override void Build(ScenarioContext context)
    {
        context.Horizon = horizon ?? TimeSpan.FromSeconds(60);
        context.QuietAt = context.Horizon * 0.75;
        context.Faults(Profile);

        // mTLS: a client acts only under client ids named after its certificate (<subject>.<anything>).
        var scheduler = context.Service("scheduler", "hub", Port, (host, me) => Scheduler.Start(host, new SchedulerOptions(me.Address, Port, me.ServerTls, context.Defects)), new ServiceOptions { MutualTls = true });
        var options = new FuturesClientOptions(scheduler.DnsName, Port, scheduler.ClientTls, ReconnectDeadline, TimeSpan.FromMilliseconds(100), TimeSpan.FromSeconds(1), context.Defects);
        var oracles = new FuturesOracles(context, scheduler, options, ReconnectDeadline + Epsilon, ReconnectDeadline + Epsilon + LongestTask + TimeSpan.FromSeconds(2));
        var faker = new Faker { Random = new Randomizer((int)context.Workload.NextUInt64()) };
        var users = context.Clients("client", ["site-0", "site-1"], clients, (host, me) =>
            FuturesUser.Start(host, context, oracles, faker, options with { Tls = me.TlsTo(scheduler) }, context.Horizon - TimeSpan.FromSeconds(1), FuturesWorkload.Chaos));

        // An operator restarts the scheduler's state once (client.restart() upstream).
        var restarts = new List<string>();
        context.Client("admin", "hub", (host, me) => FuturesAdmin.RestartOnceAsync(host, options with { Tls = me.TlsTo(scheduler) }, context.Horizon * 0.35, oracles, restarts));

        // A hostile client probing every authorization and TLS rule at and beyond its edges (FuturesSecurity judges).
        var rogue = context.Authority("rogue-ca");
        var probe = context.Client("mallory", "site-x", (host, me) =>
            FuturesProbe.Start(host, context, me, scheduler, rogue, () => oracles.Ledger.Clients.Keys.FirstOrDefault(), context.Horizon - TimeSpan.FromSeconds(4)));

        // A crash the clients ride out, and one that outlasts their reconnect deadline: the scheduler comes
        // back once a client has given up on it (or a little later, if none was connected).
        context.Script(async w =>
        {
            await w.At(context.Horizon * 0.2);
            w.Kill(scheduler);
            await w.Delay(TimeSpan.FromSeconds(1.5));
            w.Start(scheduler);
            await w.At(context.Horizon * 0.55);
            w.Kill(scheduler);
            await w.Until<ReconnectGaveUp>(null, ReconnectDeadline + TimeSpan.FromSeconds(2));
            w.Start(scheduler);
        });

        context.Account(() => users.SelectMany(u => u.Last?.AccountLines() ?? [])
            .Concat(restarts)
            .Append($"mallory: {probe.Last}")
            .Concat(scheduler.Last is { } s ? [$"scheduler: incarnation holds {s.Tasks.Count} task(s), {s.Sessions.Count} session(s), {s.Restarts} restart(s) asked"] : []));
    }
}
