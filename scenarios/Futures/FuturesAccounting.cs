using Sim.Stack.Futures;
using Sim.Worlds;

namespace Sim.Scenarios.Futures;

/// <summary>
/// Accounting, end to end from the users' side: every future a user submitted reaches exactly one outcome, which
/// the user reads back, and it is matched against what the scheduler did. A result is the value of the user's own
/// reference computation and the one the scheduler computed for that key; an error comes from a computation that
/// raises and that the scheduler saw raise; a cancellation names a reason that happened to the future while it was
/// pending (the connection dropped, the scheduler restarted, the client closed, or the user cancelled it with that
/// reason). Once the run has settled, the scheduler holds no task for a future its client cancelled or forgot.
/// </summary>
public sealed class FuturesAccounting
{
    public const string OutcomeMatchesScheduler = "every-outcome-read-back-matches-the-scheduler";
    public const string OneOutcomePerFuture = ClientModel.OneOutcomePerFuture;
    public const string NoHeldResultForCancelledFuture = "scheduler-holds-no-task-for-a-cancelled-future";

    private readonly ScenarioContext context;
    private readonly FuturesLedger ledger;
    private readonly Live<Scheduler> scheduler;
    private readonly Dictionary<TaskId, long?> computed = [];
    private readonly Dictionary<string, long> submitted = new(StringComparer.Ordinal);
    private readonly Dictionary<string, (long Sequence, TimeSpan At)> drops = new(StringComparer.Ordinal);
    private readonly Dictionary<string, (long Sequence, TimeSpan At)> restarts = new(StringComparer.Ordinal);
    private readonly Dictionary<string, (long Sequence, TimeSpan At)> closes = new(StringComparer.Ordinal);
    private readonly Dictionary<string, (TimeSpan? Drop, TimeSpan? Restart, TimeSpan? Close)> pendingAt = new(StringComparer.Ordinal);
    private long sequence;

    /// <param name="settle">How long before the horizon a future must have been submitted to be owed an outcome.</param>
    public FuturesAccounting(ScenarioContext context, FuturesLedger ledger, Live<Scheduler> scheduler, TimeSpan settle)
    {
        this.context = context;
        this.ledger = ledger;
        this.scheduler = scheduler;
        // What happened to a future while it was pending is judged from the order of the typed events alone: the
        // users' own bookkeeping may run after the client's events (Coyote interleaves at every log call).
        context.On<FutureSubmitted>((e, _) => submitted[e.Key] = ++sequence);
        context.On<ClientStatusChanged>((e, _) =>
        {
            if (e.New is ClientStatus.Connecting or ClientStatus.Closed)
            {
                (e.New == ClientStatus.Connecting ? drops : closes)[e.Client] = (++sequence, context.World.Now);
            }
        });
        context.On<RestartReported>((e, _) => restarts[e.Client] = (++sequence, context.World.Now));
        context.On<TaskComputed>((e, _) => computed[new TaskId(e.Client, e.Key)] = e.Result);
        context.On<TaskErred>((e, _) => computed[new TaskId(e.Client, e.Key)] = null);
        context.On<FutureDone>((e, at) =>
        {
            if (submitted.TryGetValue(e.Key, out var since) && !pendingAt.ContainsKey(e.Key))
            {
                pendingAt[e.Key] = (After(drops, e.Client, since), After(restarts, e.Client, since), After(closes, e.Client, since));
            }

            if (ledger.Futures.TryGetValue(e.Key, out var t) && t.Seen is { } seen)
            {
                context.Fail(OneOutcomePerFuture, $"at {at.Time.TotalSeconds:F3}s {e.Key} became {e.Status.ToString().ToLowerInvariant()}, after {t.User} had read its outcome: {seen.ToString().ToLowerInvariant()}");
            }
        });
        context.Eventually(FuturesChecker.NoFutureWaitsForever, () => ledger.Futures.Values.FirstOrDefault(t => t.Seen is null && t.SubmittedAt < context.Horizon - settle) is { } stuck
            ? $"{stuck.User}'s future {stuck.Key}, submitted at {stuck.SubmittedAt.TotalSeconds:F3}s, {(stuck.Future.IsDone ? $"is {stuck.Future.Status.ToString().ToLowerInvariant()} but its await never returned" : "is still pending")} at the horizon ({context.Horizon.TotalSeconds}s)"
            : null);
        context.Eventually(OneOutcomePerFuture, () => ledger.Futures.Values.FirstOrDefault(t => t.Seen is { } seen && (t.Future.Status != seen || (seen == FutureStatus.Finished && t.Future.ResultAsync().Result != t.SeenResult))) is { } changed
            ? $"{changed.User} read {changed.Key} as {changed.Seen.ToString()!.ToLowerInvariant()}, but it is {changed.Future.Status.ToString().ToLowerInvariant()} at the horizon: two outcomes"
            : null);
        context.Eventually(NoHeldResultForCancelledFuture, HeldForNobody);
    }

    /// <summary>When the client last went through <paramref name="what"/>, if that was after event <paramref name="since"/>.</summary>
    private static TimeSpan? After(Dictionary<string, (long Sequence, TimeSpan At)> what, string client, long since) =>
        what.TryGetValue(client, out var last) && last.Sequence > since ? last.At : null;

    /// <summary>A user's await returned <paramref name="result"/> or threw <paramref name="error"/>.</summary>
    public void Seen(Tracked t, long? result, Exception? error)
    {
        if (pendingAt.TryGetValue(t.Key, out var happened))
        {
            (t.PendingAtDrop, t.PendingAtRestart, t.PendingAtClose) = happened;
        }

        var at = $"at {context.World.Now.TotalSeconds:F3}s {t.User} read {t.Key} ({t.Operation} of [{string.Join(", ", t.Inputs)}])";
        t.Seen = error switch
        {
            null => FutureStatus.Finished,
            FutureErredException => FutureStatus.Error,
            _ => FutureStatus.Cancelled,
        };
        t.SeenResult = result;
        var id = new TaskId(t.Future.Client.Id, t.Key);
        var problem = t.Seen switch
        {
            FutureStatus.Finished when t.Expected != result => $"as {result}, but {(t.Expected is { } v ? $"the computation gives {v}" : "the computation raises")}",
            FutureStatus.Finished when !computed.TryGetValue(id, out var value) || value != result => $"as {result}, but the scheduler {(computed.TryGetValue(id, out var other) ? $"computed {other?.ToString() ?? "an error"}" : "never computed it")}",
            FutureStatus.Error when t.Expected is not null || !computed.TryGetValue(id, out var value) || value is not null => $"as an error ({error!.Message}), but {(t.Expected is null ? "the scheduler never saw it raise" : "the computation does not raise")}",
            _ => null,
        };
        if (problem is not null)
        {
            context.Fail(OutcomeMatchesScheduler, $"{at} {problem}");
        }
        else if (error is FutureCancelledException cancelled)
        {
            Justify(t, cancelled, at);
        }
    }

    /// <summary>A cancellation names something that happened to the future while it was pending.</summary>
    private void Justify(Tracked t, FutureCancelledException e, string at)
    {
        var (happened, invariant) = e.Reason switch
        {
            FuturesClient.ConnectionLost => (t.PendingAtDrop is not null, FuturesChecker.CancelledWithConnectionLost),
            FuturesClient.SchedulerRestart => (t.PendingAtRestart is not null, OutcomeMatchesScheduler),
            FuturesClient.ClientClosed => (t.PendingAtClose is not null, OutcomeMatchesScheduler),
            _ => (t.UserReasons.Contains(e.Reason), FuturesChecker.UserReasonSeen),
        };
        if (!happened)
        {
            context.Fail(invariant, $"{at} as cancelled for reason '{e.Reason}', which never happened to it while it was pending{(t.UserReasons.Count > 0 ? $" (the user cancelled it with: {string.Join(", ", t.UserReasons)})" : "")}");
        }
    }

    /// <summary>After the run settled: every task the scheduler holds is for a future its client still holds or has read back.</summary>
    private string? HeldForNobody()
    {
        if (scheduler.Current is not { } real)
        {
            return null;
        }

        foreach (var (id, task) in real.Tasks)
        {
            var client = ledger.Clients.GetValueOrDefault(id.Client);
            var t = ledger.Futures.GetValueOrDefault(id.Key);
            var why = (client, t) switch
            {
                (null, _) => "a client no user made",
                ({ Status: ClientStatus.Closed }, _) => "a client that is closed",
                (_, null) => "a key no user submitted",
                (_, { Future.Status: FutureStatus.Cancelled }) => $"a future its client cancelled ({(t.Future.Exception as FutureCancelledException)?.Reason ?? "bare"})",
                _ => null,
            };
            if (why is not null)
            {
                return $"after the run settled the scheduler still holds {id} ({task.State.ToString().ToLowerInvariant()}), for {why}";
            }
        }

        return null;
    }
}
