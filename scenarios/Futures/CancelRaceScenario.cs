using Bogus;
using Sim.Stack.Defects;
using Sim.Stack.Futures;
using Sim.Worlds;

namespace Sim.Scenarios.Futures;

/// <summary>
/// The focused race of the futures client, small enough for Coyote to interleave systematically: one scheduler
/// and one user submitting a few short computations and cancelling half of them within milliseconds, so results,
/// cancels and their RPCs cross on the wire; one TLS session expiry (the client's stream breaks and it reconnects
/// while cancels are in flight, whose RPCs fail), one scheduler crash-and-restart and one restart of the scheduler's
/// state asked by an operator through the API, each at a point drawn from the seed in the first 300 ms. No background
/// faults. About 3 virtual seconds. The user also cancels without a reason, cancels while connecting, may close a
/// client it finds connecting or end by closing it with work in flight, and submits to a closed client.
/// <para>
/// Invariants (the same classes as client-reconnect, minus the hostile client, whose probes the chaos scenario
/// keeps; see <see cref="ClientReconnectScenario"/> for the table): accounting (<see cref="FuturesAccounting"/>:
/// every future read back once, matching the scheduler; <see cref="FuturesChecker"/>: the user reads back results),
/// uniqueness and eligibility (<see cref="ClientModel"/>, <see cref="SchedulerModel"/>, <see cref="FuturesSubmissions"/>:
/// one outcome per future, one task per key, one token per session, no task after its cancel, work only for the current
/// session, a submission sent until taken and retried at its interval), reasons, reconnect and API answers
/// (<see cref="FuturesChecker"/>, <see cref="FuturesMessages"/>: only documented errors, each as upstream words it; the
/// asked restart happened and cancelled what was pending), resources at the horizon (<see cref="FuturesResources"/>), and
/// both reference models after every step.
/// </para>
/// </summary>
public sealed class CancelRaceScenario : Scenario
{
    private const int Port = 8786;

    private static readonly TimeSpan ReconnectDeadline = TimeSpan.FromSeconds(1);

    public override string Name => "futures-cancel-race";

    public override string Description => "1 Dask-style client racing cancels against results, a TLS expiry and a scheduler restart (focused, for Coyote)";

    public override bool Focused => true;

    public override IReadOnlyList<string> Claims =>
        [DefectCatalogue.BareCancel, DefectCatalogue.DroppedCancelReason, DefectCatalogue.ResubmitAfterCancel, DefectCatalogue.StaleSessionSubmit, DefectCatalogue.ReplacedSessionKeepsKeys, DefectCatalogue.CancelAfterResult];

    public override void Build(ScenarioContext context)
    {
        context.Horizon = TimeSpan.FromSeconds(3);
        // Quiet (liveness owed from here) while the user still works: a run whose work ends exactly at the quiet
        // point leaves Coyote's liveness monitor no step to see the owed invariants met.
        context.QuietAt = TimeSpan.FromSeconds(0.5);
        context.Faults(FaultProfile.None);

        var scheduler = context.Service("scheduler", "hub", Port, (host, me) => Scheduler.Start(host, new SchedulerOptions(me.Address, Port, me.ServerTls, context.Defects)), new ServiceOptions { MutualTls = true });
        var options = new FuturesClientOptions(scheduler.DnsName, Port, scheduler.ClientTls, ReconnectDeadline, TimeSpan.FromMilliseconds(20), TimeSpan.FromMilliseconds(500), context.Defects);
        var workload = FuturesWorkload.Focused;
        var slack = TimeSpan.FromMilliseconds(200);
        var oracles = new FuturesOracles(context, scheduler, options, ReconnectDeadline + slack, ReconnectDeadline + slack + workload.LongestTask + TimeSpan.FromSeconds(0.5));
        var faker = new Faker { Random = new Randomizer((int)context.Workload.NextUInt64()) };
        var user = context.Client("client", "site-0", (host, me) =>
            FuturesUser.Start(host, context, oracles, faker, options with { Tls = me.TlsTo(scheduler) }, TimeSpan.FromSeconds(1), workload));

        var expireAt = TimeSpan.FromMilliseconds(20 + faker.Random.Int(0, 280));
        var restartAt = TimeSpan.FromMilliseconds(20 + faker.Random.Int(0, 280));

        // An operator asks the scheduler to restart its state (client.restart() upstream) while the user's futures are in flight.
        var askAt = TimeSpan.FromMilliseconds(20 + faker.Random.Int(0, 280));
        var asked = new List<string>();
        context.Client("admin", "hub", (host, me) => FuturesAdmin.RestartOnceAsync(host, options with { Tls = me.TlsTo(scheduler) }, askAt, oracles, asked));
        context.Script(async w =>
        {
            foreach (var (at, expire) in new[] { (expireAt, true), (restartAt, false) }.OrderBy(f => f.Item1))
            {
                await w.At(at);
                if (expire)
                {
                    w.ExpireTls(scheduler.Name);
                }
                else
                {
                    w.Restart(scheduler);
                }
            }
        });

        context.Account(() => (user.Last?.AccountLines() ?? [])
            .Append($"faults: TLS expiry at {expireAt.TotalSeconds:F3}s, scheduler restart at {restartAt.TotalSeconds:F3}s, restart asked at {askAt.TotalSeconds:F3}s")
            .Concat(asked)
            .Concat(scheduler.Last is { } s ? [$"scheduler: incarnation holds {s.Tasks.Count} task(s), {s.Sessions.Count} session(s)"] : []));
    }
}
