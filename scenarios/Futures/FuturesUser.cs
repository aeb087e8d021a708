using Bogus;
using Sim.Stack.Futures;
using Sim.Stack.Host;

namespace Sim.Scenarios.Futures;

/// <summary>
/// A user with a client: submits batches, awaits every future, cancels some with reasons of its own (or none) and waits
/// on each batch; it may close a client it finds connecting, and may end its work by closing the client with a last batch
/// in flight; when its client closes, it checks that the client refuses work and starts a new one. Every API answer is
/// handed to the checkers (only documented errors escape). Its account is told from its clients' events.
/// </summary>
public sealed class FuturesUser
{
    private static readonly string[] Reasons = ["superseded", "user-abort", "budget-exceeded", "wrong-inputs"];

    /// <summary>How long after its stop time a user may still close its client: the scheduler must hear of it before the horizon.</summary>
    private static readonly TimeSpan CloseSlack = TimeSpan.FromSeconds(0.5);

    /// <summary>How long a user's connect may take.</summary>
    private static readonly TimeSpan ConnectTimeout = TimeSpan.FromSeconds(2);

    private readonly IHost host;
    private readonly FuturesOracles oracles;
    private readonly Faker faker;
    private readonly Dictionary<string, int> outcomes = new(StringComparer.Ordinal);
    private readonly List<string> notes = [];
    private int clientsMade;
    private int submitted;
    private string? firstGrouped;

    private FuturesUser(IHost host, FuturesOracles oracles, Faker faker)
    {
        this.host = host;
        this.oracles = oracles;
        this.faker = faker;
    }

    /// <summary>Starts the user's work (<paramref name="workload"/>) until <paramref name="stopAt"/>.</summary>
    public static FuturesUser Start(IHost host, ScenarioContext context, FuturesOracles oracles, Faker faker, FuturesClientOptions options, TimeSpan stopAt, FuturesWorkload workload)
    {
        var user = new FuturesUser(host, oracles, faker);
        oracles.Ledger.Started(host.Name);
        context.On<ClientStatusChanged>((e, at) =>
        {
            // A close is noted by whoever closed: the client giving up (below) or the user (its own note).
            if (at.Subject == host.Name && e.New != ClientStatus.Closed)
            {
                user.Note(e.New == ClientStatus.Connecting ? $"{e.Client} lost the scheduler: connecting" : e.Old == ClientStatus.Connecting ? $"{e.Client} running again" : $"{e.Client} connected");
            }
        });
        context.On<ReconnectGaveUp>((e, at) =>
        {
            if (at.Subject == host.Name)
            {
                user.Note($"{e.Client} gave up reconnecting after {options.ReconnectDeadline.TotalSeconds}s and closed");
            }
        });
        host.Spawn("user", _ => user.RunAsync(options, stopAt, workload));
        return user;
    }

    private async Task RunAsync(FuturesClientOptions options, TimeSpan stopAt, FuturesWorkload workload)
    {
        try
        {
            await WorkAsync(options, stopAt, workload);
        }
        catch (Exception e) when (!(e is OperationCanceledException && host.Lifetime.IsCancellationRequested))
        {
            oracles.Checker.Undocumented(host.Name, "the user's work", e);
        }
    }

    private async Task WorkAsync(FuturesClientOptions options, TimeSpan stopAt, FuturesWorkload workload)
    {
        while (!host.Lifetime.IsCancellationRequested && host.Clock.Elapsed < stopAt)
        {
            FuturesClient client;
            var started = host.Clock.Elapsed;
            try
            {
                client = await FuturesClient.ConnectAsync(host, options, $"{host.Name}.{++clientsMade}", ConnectTimeout);
                oracles.Checker.ConnectAnswered(host.Name, ConnectTimeout, host.Clock.Elapsed - started, null);
            }
            catch (SchedulerUnreachableException e)
            {
                oracles.Checker.ConnectAnswered(host.Name, ConnectTimeout, host.Clock.Elapsed - started, e);
                Note($"connect failed: {e.Message}");
                await host.Clock.Delay(TimeSpan.FromMilliseconds(500), host.Lifetime);
                continue;
            }

            oracles.Ledger.Connected(host.Name, client);
            while (client.Status != ClientStatus.Closed && host.Clock.Elapsed < stopAt)
            {
                await SubmitBatchAsync(client, workload);
                if (client.Status == ClientStatus.Connecting && faker.Random.Bool(workload.GiveUpProbability) && host.Clock.Elapsed < stopAt)
                {
                    // A user tired of waiting for the scheduler closes the client and makes a new one.
                    client.Close();
                    Note($"{client.Id} closed by its user while connecting");
                }

                await host.Clock.Delay(TimeSpan.FromMilliseconds(faker.Random.Int((int)workload.MinPause.TotalMilliseconds, (int)workload.MaxPause.TotalMilliseconds)), host.Lifetime);
            }

            if (client.Status != ClientStatus.Closed && faker.Random.Bool(workload.CloseAtEndProbability) && host.Clock.Elapsed < stopAt + CloseSlack)
            {
                // Done: a last batch, and the client closed with it in flight (its futures are cancelled, the scheduler forgets them).
                foreach (var _ in Enumerable.Range(0, faker.Random.Int(workload.MinBatch, workload.MaxBatch)))
                {
                    if (Submit(client, workload) is null)
                    {
                        break;
                    }
                }

                client.Close();
                Note($"{client.Id} closed by its user at the end of its work");
            }

            if (client.Status == ClientStatus.Closed)
            {
                SubmitToClosed(client);
            }
        }
    }

    /// <summary>A closed client refuses work, saying so.</summary>
    private void SubmitToClosed(FuturesClient client)
    {
        try
        {
            client.Submit("sum", [1, 2], TimeSpan.FromMilliseconds(10));
            oracles.Checker.SubmittedWhenClosed(host.Name, client, null);
        }
        catch (ClientClosedException e)
        {
            oracles.Checker.SubmittedWhenClosed(host.Name, client, e);
        }
    }

    /// <summary>Submits one future of the workload and starts awaiting it; null when the client refused it as closed.</summary>
    private Tracked? Submit(FuturesClient client, FuturesWorkload workload)
    {
        var operation = faker.Random.WeightedRandom(["sum", "sum-of-squares", "max", "fail"], [0.35f, 0.35f, 0.25f, 0.05f]);
        var inputs = Enumerable.Range(0, faker.Random.Int(0, 3)).Select(_ => (long)faker.Random.Int(-50, 50)).ToList();
        var duration = TimeSpan.FromMilliseconds(faker.Random.Int((int)workload.ShortestTask.TotalMilliseconds, (int)workload.LongestTask.TotalMilliseconds));
        Future future;
        try
        {
            future = client.Submit(operation, inputs, duration);
        }
        catch (ClientClosedException e)
        {
            // The client may close between two submits of a batch (a sweep lets other work run); open, it must take work.
            if (client.Status != ClientStatus.Closed)
            {
                oracles.Checker.RefusedWhileOpen(host.Name, client, e);
            }

            return null;
        }

        var tracked = oracles.Ledger.Submitted(host.Name, future, operation, inputs, host.Clock.Elapsed);
        submitted++;
        host.Spawn("await", _ => AwaitAsync(tracked));
        return tracked;
    }

    private async Task SubmitBatchAsync(FuturesClient client, FuturesWorkload workload)
    {
        var batch = new List<Future>();
        for (var n = faker.Random.Int(workload.MinBatch, workload.MaxBatch); n > 0; n--)
        {
            if (Submit(client, workload) is not { } tracked)
            {
                break;
            }

            batch.Add(tracked.Future);
            if (faker.Random.Bool(workload.CancelProbability))
            {
                // A quarter of the cancels say nothing: the future then reads reason "unknown" and no message.
                var bare = faker.Random.Bool(FuturesWorkload.BareCancelProbability);
                var (reason, msg, viaFuture) = (bare ? null : faker.PickRandom(Reasons), bare ? null : faker.Hacker.Phrase(), faker.Random.Bool());
                var after = TimeSpan.FromMilliseconds(faker.Random.Int(0, (int)workload.LatestCancel.TotalMilliseconds));
                host.Spawn("cancel", _ => CancelAsync(client, tracked, after, reason, msg, viaFuture));
            }
        }

        try
        {
            var results = await FuturesClient.WaitAsync(batch);
            oracles.Messages.Waited(host.Name, batch, results, null);
        }
        catch (FuturesCancelledException e)
        {
            firstGrouped ??= $"{host.Clock.Elapsed.TotalSeconds:F3}s " + e.Message.Replace("\n", " | ", StringComparison.Ordinal);
            oracles.Messages.Waited(host.Name, batch, null, e);
        }
        catch (Exception e) when (e is OperationCanceledException or FutureErredException)
        {
            // Each future's own awaiter judges it; the batch's error is the first error in order.
            oracles.Messages.Waited(host.Name, batch, null, e);
        }
    }

    private async Task AwaitAsync(Tracked tracked)
    {
        string outcome;
        try
        {
            var result = await tracked.Future.ResultAsync();
            outcome = "finished";
            oracles.Accounting.Seen(tracked, result, null);
        }
        catch (FutureErredException e)
        {
            outcome = "erred";
            oracles.Accounting.Seen(tracked, null, e);
            oracles.Messages.Caught(tracked, e);
        }
        catch (OperationCanceledException e)
        {
            outcome = e is FutureCancelledException c ? $"cancelled ({c.Reason})" : "bare cancellation";
            oracles.Accounting.Seen(tracked, null, e);
            oracles.Checker.Failed(tracked, e);
            oracles.Messages.Caught(tracked, e);
        }

        oracles.Messages.Printed(tracked);
        outcomes[outcome] = outcomes.GetValueOrDefault(outcome) + 1;
    }

    private async Task CancelAsync(FuturesClient client, Tracked tracked, TimeSpan after, string? reason, string? msg, bool viaFuture)
    {
        await host.Clock.Delay(after, host.Lifetime);
        var future = tracked.Future;
        if (future.IsDone || client.Status is not (ClientStatus.Running or ClientStatus.Connecting) || future.Generation != client.Generation)
        {
            // Only a pending future of the client's current generation is the user's to cancel (while connecting, one
            // submitted since the drop, still buffered): one of an older generation is being swept (under Coyote a
            // sweep's completions interleave with other work).
            return;
        }

        var generation = client.Generation;
        tracked.UserReasons.Add(reason ?? "unknown");
        var started = host.Clock.Elapsed;
        try
        {
            await (viaFuture ? future.CancelAsync(reason, msg) : client.CancelAsync([future], reason, msg));
        }
        catch (Grpc.Core.RpcException e)
        {
            oracles.Checker.CancelFailed(tracked, e, started);
            return; // the cancel did not go through: no claim on what the user sees
        }
        catch (Exception e) when (!(e is OperationCanceledException && host.Lifetime.IsCancellationRequested))
        {
            oracles.Checker.Undocumented(host.Name, $"cancelling {tracked.Key}", e);
            return;
        }

        if (client.Generation == generation)
        {
            oracles.Checker.UserCancelled(tracked, reason, msg, viaFuture);
        }
    }

    private void Note(string what) => notes.Add($"    {host.Clock.Elapsed.TotalSeconds:F3}s {what}");

    /// <summary>The user's lines of the run's account.</summary>
    public IEnumerable<string> AccountLines()
    {
        yield return $"{host.Name}: {clientsMade} client(s), {submitted} future(s): {string.Join(", ", outcomes.OrderByDescending(o => o.Value).ThenBy(o => o.Key, StringComparer.Ordinal).Select(o => $"{o.Value} {o.Key}"))}";
        foreach (var note in notes.Append(firstGrouped is null ? "" : $"    first grouped error: {firstGrouped}").Where(n => n.Length > 0))
        {
            yield return note;
        }
    }
}
