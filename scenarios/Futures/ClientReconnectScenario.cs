using Bogus;
using Grpc.Core;
using Sim.Stack.Futures;
using Sim.Stack.Host;
using Sim.Worlds;

namespace Sim.Scenarios.Futures;

/// <summary>
/// Dask-style clients holding many futures on one scheduler, with users cancelling futures (with their
/// own reasons) while results arrive and while the client reconnects. Faults: scheduler crashes and
/// restarts (one outlasting the reconnect deadline), a scheduler restart asked for by an admin,
/// partitions, connection resets and slow (clogged) links between clients and scheduler.
/// Invariants: SCENARIOS.md section 2.
/// </summary>
public sealed class ClientReconnectScenario(int clients = 3, TimeSpan? horizon = null) : Scenario
{
    public const string CancelledWithConnectionLost = "pending-futures-cancelled-with-connection-lost-reason";
    public const string NoFutureWaitsForever = "no-future-waits-forever";
    public const string ReconnectEndsClean = "reconnect-leaves-no-stale-futures-within-deadline";
    public const string UserReasonSeen = "user-cancel-reason-is-the-reason-seen";

    private const int Port = 8786;
    private const string SchedulerName = "scheduler.futures";

    /// <summary>Upstream 30 s, scaled to the run's minute.</summary>
    public static readonly TimeSpan ReconnectDeadline = TimeSpan.FromSeconds(5);

    /// <summary>Slack on top of the deadline: one retry interval and one scheduling round.</summary>
    public static readonly TimeSpan Epsilon = TimeSpan.FromSeconds(0.5);

    /// <summary>Longest computation a user submits.</summary>
    public static readonly TimeSpan LongestTask = TimeSpan.FromSeconds(2);

    private static readonly string[] UserReasons = ["superseded", "user-abort", "budget-exceeded", "wrong-inputs"];

    public override string Name => "client-reconnect";

    public override string Description => $"{clients} Dask-style clients with many futures on one scheduler: reconnects, scheduler crashes and restarts, user cancels with reasons";

    public override void Build(ScenarioContext context)
    {
        context.Horizon = horizon ?? TimeSpan.FromSeconds(60);
        context.QuietAt = context.Horizon * 0.75;
        context.Faults(new FaultProfile
        {
            Name = "client-chaos",
            Network = new NetworkOptions { DropProbability = 0.005, ReorderProbability = 0.02 },
            Faults =
            [
                new PartitionFault { PerMinute = 4, Lasting = DurationRange.Seconds(1, 8), Modes = [PartitionMode.IsolateOne, PartitionMode.Symmetric, PartitionMode.Asymmetric] },
                new ConnectionResetFault { PerMinute = 4 },
                new ClogFault { PerMinute = 6, OneWay = true, Lasting = DurationRange.Seconds(0.1, 2) },
            ],
        });

        var ca = context.Authority("futures-ca");
        var trust = ca.Trust();
        var cert = context.Certificate(SchedulerName, ca, [SchedulerName], TimeSpan.FromDays(30));
        var hub = context.Machine("m-scheduler", "site-hub", "10.3.0.1");
        context.Name(SchedulerName, "10.3.0.1");
        Scheduler? scheduler = null;
        context.Process("scheduler", hub, host =>
        {
            scheduler = Scheduler.Start(host, new SchedulerOptions("10.3.0.1", Port, new TlsServerOptions(() => cert.Current)));
            return Task.CompletedTask;
        });

        var options = new FuturesClientOptions(SchedulerName, Port, new TlsClientOptions(SchedulerName, trust), ReconnectDeadline,
            TimeSpan.FromMilliseconds(100), TimeSpan.FromSeconds(1), context.Defects);
        var faker = new Faker { Random = new Randomizer((int)context.Workload.NextUInt64()) };
        var users = new List<User>();
        for (var i = 0; i < clients; i++)
        {
            var machine = context.Machine($"m-client{i}", $"site-{i % 2}", $"10.3.1.{i + 1}");
            var user = new User($"client{i}", context);
            users.Add(user);
            context.Process(user.Name, machine, host => user.RunAsync(host, options, faker), killable: false);
        }

        // An operator restarts the scheduler's state once (client.restart() upstream).
        var admin = context.Machine("m-admin", "site-hub", "10.3.0.2");
        var restarts = new List<string>();
        context.Process("admin", admin, host => RestartOnceAsync(host, options, context.Horizon * 0.35, restarts), killable: false);

        // A crash the clients ride out, and one that outlasts their reconnect deadline.
        context.At(context.Horizon * 0.2, new FaultAction.Kill("scheduler"));
        context.At((context.Horizon * 0.2) + TimeSpan.FromSeconds(1.5), new FaultAction.Start("scheduler"));
        context.At(context.Horizon * 0.55, new FaultAction.Kill("scheduler"));
        context.At((context.Horizon * 0.55) + ReconnectDeadline + TimeSpan.FromSeconds(2), new FaultAction.Start("scheduler"));

        context.Eventually(ReconnectEndsClean, () =>
        {
            foreach (var user in users)
            {
                if (user.Client is { Status: ClientStatus.Connecting } client && user.ConnectingSince is { } since
                    && context.World.Now - since > ReconnectDeadline + Epsilon)
                {
                    return $"{client.Id} has been connecting since {since.TotalSeconds:F3}s, longer than the reconnect deadline {ReconnectDeadline.TotalSeconds}s + {Epsilon.TotalSeconds}s: it is neither running nor closed";
                }
            }

            return null;
        });
        context.Eventually(NoFutureWaitsForever, () =>
        {
            var bound = context.Horizon - (ReconnectDeadline + Epsilon + LongestTask + TimeSpan.FromSeconds(2));
            foreach (var user in users)
            {
                if (user.Tracked.FirstOrDefault(t => !t.Future.IsDone && t.SubmittedAt < bound) is { } stuck)
                {
                    return $"{user.Name}'s future {stuck.Future.Key}, submitted at {stuck.SubmittedAt.TotalSeconds:F3}s, is still pending at the horizon ({context.Horizon.TotalSeconds}s)";
                }
            }

            return null;
        });

        context.Account(() => users.SelectMany(u => u.AccountLines())
            .Concat(restarts)
            .Concat(scheduler is null ? [] : [$"scheduler: incarnation holds {scheduler.Tasks.Count} task(s), {scheduler.Sessions} session(s), {scheduler.Restarts} restart(s) asked"]));
    }

    private static async Task RestartOnceAsync(IHost host, FuturesClientOptions options, TimeSpan at, List<string> account)
    {
        await host.Clock.Delay(at, host.Lifetime);
        var attempt = 0;
        while (!host.Lifetime.IsCancellationRequested)
        {
            try
            {
                var client = await FuturesClient.ConnectAsync(host, options, $"admin.{++attempt}", TimeSpan.FromSeconds(1));
                await client.RestartSchedulerAsync();
                account.Add($"admin: restarted the scheduler at {host.Clock.Elapsed.TotalSeconds:F3}s");
                client.Close();
                return;
            }
            catch (Exception e) when (e is SchedulerUnreachableException or RpcException)
            {
                await host.Clock.Delay(TimeSpan.FromMilliseconds(500), host.Lifetime);
            }
        }
    }

    /// <summary>A future as its user saw it.</summary>
    private sealed class Tracked(Future future, TimeSpan submittedAt)
    {
        public Future Future { get; } = future;

        public TimeSpan SubmittedAt { get; } = submittedAt;

        /// <summary>When the connection dropped while the future was pending, if it did.</summary>
        public TimeSpan? PendingAtDrop { get; set; }
    }

    /// <summary>A user with a client: submits batches, awaits every future, cancels some, waits on each batch.</summary>
    private sealed class User(string name, ScenarioContext context)
    {
        private readonly Dictionary<string, int> outcomes = new(StringComparer.Ordinal);
        private readonly List<string> notes = [];
        private int clientsMade;
        private int submitted;

        public string Name { get; } = name;

        public FuturesClient? Client { get; private set; }

        public TimeSpan? ConnectingSince { get; private set; }

        public List<Tracked> Tracked { get; } = [];

        private string? firstGrouped;

        public async Task RunAsync(IHost host, FuturesClientOptions options, Faker faker)
        {
            var stopAt = context.Horizon - TimeSpan.FromSeconds(1);
            while (!host.Lifetime.IsCancellationRequested && host.Clock.Elapsed < stopAt)
            {
                FuturesClient client;
                try
                {
                    client = await FuturesClient.ConnectAsync(host, options, $"{Name}.{++clientsMade}", TimeSpan.FromSeconds(2));
                }
                catch (SchedulerUnreachableException e)
                {
                    Note(host, $"connect failed: {e.Message}");
                    await host.Clock.Delay(TimeSpan.FromMilliseconds(500), host.Lifetime);
                    continue;
                }

                Attach(host, client);
                while (client.Status != ClientStatus.Closed && host.Clock.Elapsed < stopAt)
                {
                    var batch = new List<Future>();
                    for (var n = faker.Random.Int(2, 6); n > 0; n--)
                    {
                        var operation = faker.Random.WeightedRandom(["sum", "sum-of-squares", "max", "fail"], [0.35f, 0.35f, 0.25f, 0.05f]);
                        var inputs = Enumerable.Range(0, 3).Select(_ => (long)faker.Random.Int(-50, 50)).ToList();
                        var future = client.Submit(operation, inputs, TimeSpan.FromMilliseconds(faker.Random.Int(20, (int)LongestTask.TotalMilliseconds)));
                        var tracked = new Tracked(future, host.Clock.Elapsed);
                        Tracked.Add(tracked);
                        submitted++;
                        batch.Add(future);
                        host.Spawn("await", _ => AwaitAsync(tracked));
                        if (faker.Random.Bool(0.3f))
                        {
                            var reason = faker.PickRandom(UserReasons);
                            var msg = faker.Hacker.Phrase();
                            var viaFuture = faker.Random.Bool();
                            var after = TimeSpan.FromMilliseconds(faker.Random.Int(0, 1500));
                            host.Spawn("cancel", _ => CancelAsync(host, client, tracked, after, reason, msg, viaFuture));
                        }
                    }

                    try
                    {
                        await FuturesClient.WaitAsync(batch);
                    }
                    catch (FuturesCancelledException e)
                    {
                        firstGrouped ??= $"{host.Clock.Elapsed.TotalSeconds:F3}s " + e.Message.Replace("\n", " | ", StringComparison.Ordinal);
                    }
                    catch (Exception e) when (e is OperationCanceledException or FutureErredException)
                    {
                        // Seen by each future's own awaiter.
                    }

                    await host.Clock.Delay(TimeSpan.FromMilliseconds(faker.Random.Int(50, 600)), host.Lifetime);
                }

                if (client.Status == ClientStatus.Closed)
                {
                    Note(host, $"{client.Id} closed; starting a new client");
                }
            }
        }

        private void Attach(IHost host, FuturesClient client)
        {
            Client = client;
            ConnectingSince = null;
            Note(host, $"{client.Id} connected");
            client.Reconnecting += () =>
            {
                // Judged when the client acts, not by the clock: under Coyote a process may be scheduled late.
                if (ConnectingSince is { } since && context.World.Now - since > ReconnectDeadline + Epsilon)
                {
                    context.Fail(ReconnectEndsClean, $"{client.Id} started a reconnection attempt at {context.World.Now.TotalSeconds:F3}s, {(context.World.Now - since).TotalSeconds:F3}s after it lost the scheduler: past the reconnect deadline {ReconnectDeadline.TotalSeconds}s + {Epsilon.TotalSeconds}s it must be closed");
                }
            };
            client.StatusChanged += (old, now) =>
            {
                if (now == ClientStatus.Connecting)
                {
                    ConnectingSince = context.World.Now;
                    var pending = 0;
                    foreach (var t in Tracked.Where(t => ReferenceEquals(t.Future.Client, client) && !t.Future.IsDone))
                    {
                        t.PendingAtDrop = context.World.Now;
                        pending++;
                    }

                    Note(host, $"{client.Id} lost the scheduler with {pending} future(s) pending: connecting");
                }
                else
                {
                    ConnectingSince = null;
                }

                if (old == ClientStatus.Connecting && now == ClientStatus.Running)
                {
                    Note(host, $"{client.Id} running again");
                    if (client.Held.FirstOrDefault(f => f.Generation < client.Generation) is { } stale)
                    {
                        context.Fail(ReconnectEndsClean, $"{client.Id} reconnected still holding {stale.Key} from before the connection dropped (generation {stale.Generation}, now {client.Generation})");
                    }
                }
                else if (now == ClientStatus.Closed && old == ClientStatus.Connecting)
                {
                    Note(host, $"{client.Id} gave up reconnecting after {ReconnectDeadline.TotalSeconds}s and closed");
                }
            };
        }

        private async Task AwaitAsync(Tracked tracked)
        {
            string outcome;
            try
            {
                await tracked.Future.ResultAsync();
                outcome = "finished";
            }
            catch (FutureErredException)
            {
                outcome = "erred";
            }
            catch (FutureCancelledException e)
            {
                outcome = $"cancelled ({e.Reason})";
                if (tracked.PendingAtDrop is { } drop && (e.Reason != FuturesClient.ConnectionLost || e.Msg?.Contains("lost the connection to the scheduler", StringComparison.Ordinal) != true))
                {
                    context.Fail(CancelledWithConnectionLost, $"{tracked.Future.Key} was pending when {Name}'s connection dropped at {drop.TotalSeconds:F3}s, but failed with: {e.Message.Replace("\n", " ", StringComparison.Ordinal)}");
                }
            }
            catch (OperationCanceledException e)
            {
                outcome = "bare cancellation";
                context.Fail(CancelledWithConnectionLost, $"{tracked.Future.Key}{(tracked.PendingAtDrop is { } d ? $" was pending when {Name}'s connection dropped at {d.TotalSeconds:F3}s, and" : "")} failed with a bare cancellation naming only the key: '{e.Message}' (no reason, no message)");
            }

            outcomes[outcome] = outcomes.GetValueOrDefault(outcome) + 1;
        }

        private async Task CancelAsync(IHost host, FuturesClient client, Tracked tracked, TimeSpan after, string reason, string msg, bool viaFuture)
        {
            await host.Clock.Delay(after, host.Lifetime);
            var future = tracked.Future;
            if (future.IsDone || client.Status != ClientStatus.Running || future.Generation != client.Generation)
            {
                // Only a pending future of the client's current generation is the user's to cancel: one of an
                // older generation is being swept (under Coyote a sweep's completions interleave with other work).
                return;
            }

            var generation = client.Generation;
            try
            {
                await (viaFuture ? future.CancelAsync(reason, msg) : client.CancelAsync([future], reason, msg));
            }
            catch (RpcException)
            {
                return; // the cancel did not go through: no claim on what the user sees
            }

            if (client.Generation != generation)
            {
                return; // the connection dropped or the scheduler restarted meanwhile: their reason may win
            }

            if (!future.IsDone)
            {
                context.Fail(UserReasonSeen, $"{Name} cancelled {future.Key} with reason '{reason}' and the call returned, but the future is still pending");
            }
            else if (future.Exception is FutureCancelledException seen && (seen.Reason != reason || seen.Msg != msg))
            {
                context.Fail(UserReasonSeen, $"{Name} cancelled {future.Key} {(viaFuture ? "through the future" : "through the client")} with reason '{reason}', but the user saw: {seen.Message.Replace("\n", " ", StringComparison.Ordinal)}");
            }
        }

        private void Note(IHost host, string what) => notes.Add($"    {host.Clock.Elapsed.TotalSeconds:F3}s {what}");

        public IEnumerable<string> AccountLines()
        {
            yield return $"{Name}: {clientsMade} client(s), {submitted} future(s): {string.Join(", ", outcomes.OrderByDescending(o => o.Value).ThenBy(o => o.Key, StringComparer.Ordinal).Select(o => $"{o.Value} {o.Key}"))}";
            foreach (var note in notes)
            {
                yield return note;
            }

            if (firstGrouped is not null)
            {
                yield return $"    first grouped error: {firstGrouped}";
            }
        }
    }
}
