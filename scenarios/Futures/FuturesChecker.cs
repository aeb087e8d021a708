using Grpc.Core;
using Sim.Stack.Buggify;
using Sim.Stack.Futures;
using Sim.Worlds;

namespace Sim.Scenarios.Futures;

/// <summary>
/// The client-futures invariants of SCENARIOS.md section 2, over the clients' typed status events and what users
/// see: a future pending when the connection dropped fails with the connection-loss reason and message, never a
/// bare cancellation; a user's cancel reason is the reason the user sees and the one the scheduler is told; a client
/// retries at its interval, does not give up before its reconnect deadline, and is running or closed within it,
/// holding no stale future. What the API answers users: only the documented errors, each saying what happened
/// (a closed client refuses work naming itself, a failed connect names the scheduler and keeps to its timeout, an
/// honest call fails only for a cause a user can act on); every user gets results; a restart the scheduler answered
/// happened. (No future waits forever: <see cref="FuturesAccounting"/>.)
/// </summary>
public sealed class FuturesChecker
{
    public const string CancelledWithConnectionLost = "pending-futures-cancelled-with-connection-lost-reason";
    public const string NoFutureWaitsForever = "no-future-waits-forever";
    public const string ReconnectEndsClean = "reconnect-leaves-no-stale-futures-within-deadline";
    public const string ReconnectRetries = "reconnect-retries-at-its-interval-until-the-deadline";
    public const string UserReasonSeen = "user-cancel-reason-is-the-reason-seen";
    public const string OnlyDocumentedErrors = "api-answers-only-documented-errors";
    public const string UsersGetResults = "every-user-reads-back-results";
    public const string RestartHappened = "an-answered-restart-restarted-the-scheduler";

    /// <summary>How long past its timeout a connect may take to answer: one scheduling round of the client.</summary>
    private static readonly TimeSpan ConnectSlack = TimeSpan.FromSeconds(0.5);

    private readonly ScenarioContext context;
    private readonly TimeSpan deadline;
    private readonly FuturesClientOptions options;
    private readonly FuturesLedger ledger;
    private readonly EarlyFires early;
    private readonly Dictionary<string, TimeSpan> connectingSince = new(StringComparer.Ordinal);
    private readonly Dictionary<string, TimeSpan> lastAttempt = new(StringComparer.Ordinal);
    private readonly HashSet<string> retriedAtOnce = new(StringComparer.Ordinal);
    private int restarts;

    /// <param name="options">What the users' clients are configured with.</param>
    /// <param name="deadline">The reconnect deadline plus the slack a client is allowed past it.</param>
    public FuturesChecker(ScenarioContext context, FuturesLedger ledger, FuturesClientOptions options, TimeSpan deadline)
    {
        this.context = context;
        this.ledger = ledger;
        this.options = options;
        this.deadline = deadline;
        early = new EarlyFires(context);
        context.On<ClientStatusChanged>((e, at) =>
        {
            retriedAtOnce.Remove(at.Subject);
            StatusChanged(e, at.Time);
        });
        context.On<ReconnectAttempted>((e, at) => Attempted(e.Client, at));
        context.On<ReconnectGaveUp>((e, at) => GaveUp(e, at.Time));
        context.On<BuggifyFired>((e, at) =>
        {
            if (e.Site == BuggifyCatalogue.ReconnectRetriesAtOnce)
            {
                retriedAtOnce.Add(at.Subject);
            }
        });
        context.On<KeysCancelled>((e, at) => WireReasons(e, at.Time));
        context.On<SchedulerRestarted>((_, _) => restarts++);
        context.Eventually(ReconnectEndsClean, () => connectingSince.FirstOrDefault(c => context.World.Now - c.Value > deadline) is { Key: { } id, Value: var since }
            ? $"{id} has been connecting since {since.TotalSeconds:F3}s, longer than the reconnect deadline + slack ({deadline.TotalSeconds}s): it is neither running nor closed"
            : null);
        context.Eventually(UsersGetResults, () => ledger.Users.Order(StringComparer.Ordinal).FirstOrDefault(u => !ledger.Futures.Values.Any(t => t.User == u && t.Seen == FutureStatus.Finished)) is { } idle
            ? $"{idle} never read back a result by the horizon ({ledger.Futures.Values.Count(t => t.User == idle)} future(s) submitted)"
            : null);
        context.Eventually(RestartHappened, () => ledger.RestartsAsked > restarts
            ? $"an admin's restart call returned {ledger.RestartsAsked} time(s), but the scheduler restarted {restarts} time(s)"
            : null);
    }

    /// <summary>A user's future failed with <paramref name="error"/>: a pending one cut off by a drop must say so.</summary>
    public void Failed(Tracked t, Exception error)
    {
        if (error is FutureCancelledException e)
        {
            if (t.PendingAtDrop is { } drop && (e.Reason != FuturesClient.ConnectionLost || e.Msg?.Contains("lost the connection to the scheduler", StringComparison.Ordinal) != true))
            {
                context.Fail(CancelledWithConnectionLost, $"{t.Future.Key} was pending when {t.User}'s connection dropped at {drop.TotalSeconds:F3}s, but failed with: {e.Message.Replace("\n", " ", StringComparison.Ordinal)}");
            }
        }
        else if (error is OperationCanceledException)
        {
            context.Fail(CancelledWithConnectionLost, $"{t.Future.Key}{(t.PendingAtDrop is { } d ? $" was pending when {t.User}'s connection dropped at {d.TotalSeconds:F3}s, and" : "")} failed with a bare cancellation naming only the key: '{error.Message}' (no reason, no message)");
        }
    }

    /// <summary>
    /// A user's cancel returned within one generation of its client: the future must carry the user's reason and
    /// message ("unknown" and none when the user gave neither).
    /// </summary>
    public void UserCancelled(Tracked t, string? reason, string? msg, bool viaFuture)
    {
        var future = t.Future;
        var expected = string.IsNullOrEmpty(reason) ? "unknown" : reason;
        if (!future.IsDone)
        {
            context.Fail(UserReasonSeen, $"{t.User} cancelled {future.Key} with reason '{expected}' and the call returned, but the future is still pending");
        }
        else if (future.Exception is FutureCancelledException seen && (seen.Reason != expected || seen.Msg != (string.IsNullOrEmpty(msg) ? null : msg)))
        {
            context.Fail(UserReasonSeen, $"{t.User} cancelled {future.Key} {(viaFuture ? "through the future" : "through the client")} with reason '{expected}' and message '{msg ?? "none"}', but the user saw: {seen.Message.Replace("\n", " ", StringComparison.Ordinal)}");
        }
    }

    /// <summary>
    /// A user's cancel call failed: an honest client's call fails only for a cause it can act on — the scheduler or the
    /// network away (unavailable, cancelled), its deadline passed (not before it), or a session that is over.
    /// </summary>
    public void CancelFailed(Tracked t, RpcException e, TimeSpan started)
    {
        var now = context.World.Now;
        var problem = e.StatusCode switch
        {
            StatusCode.Unavailable or StatusCode.Cancelled or StatusCode.FailedPrecondition => null,
            StatusCode.DeadlineExceeded when now - started >= options.CallTimeout || early.HeldBack(started, now, t.User) => null,
            StatusCode.DeadlineExceeded => $"after {(now - started).TotalSeconds:F3}s, before its {options.CallTimeout.TotalSeconds}s deadline",
            _ => "for a cause an honest client never gives",
        };
        if (problem is not null)
        {
            context.Fail(OnlyDocumentedErrors, $"{t.User}'s cancel of {t.Key} failed {e.StatusCode} ('{e.Status.Detail}') {problem}");
        }
    }

    /// <summary>A user's connect answered after <paramref name="took"/>: within its timeout, and a failure names the scheduler.</summary>
    public void ConnectAnswered(string user, TimeSpan timeout, TimeSpan took, SchedulerUnreachableException? error)
    {
        if (took > timeout + ConnectSlack)
        {
            context.Fail(OnlyDocumentedErrors, $"{user}'s connect with a {timeout.TotalSeconds}s timeout answered after {took.TotalSeconds:F3}s{(error is null ? "" : $": {error.Message}")}");
        }
        else if (error is not null && !error.Message.Contains(options.Scheduler, StringComparison.Ordinal))
        {
            context.Fail(OnlyDocumentedErrors, $"{user}'s connect failed with '{error.Message}', which does not name the scheduler {options.Scheduler}");
        }
    }

    /// <summary>A user submitted to a client it saw closed: refused with a <see cref="ClientClosedException"/> that names the client.</summary>
    public void SubmittedWhenClosed(string user, FuturesClient client, Exception? error)
    {
        if (error is not ClientClosedException || !error.Message.Contains(client.Id, StringComparison.Ordinal) || !error.Message.Contains("closed", StringComparison.Ordinal))
        {
            context.Fail(OnlyDocumentedErrors, $"{user} submitted to {client.Id}, which is {client.Status.ToString().ToLowerInvariant()}, and got {(error is null ? "a future" : $"{error.GetType().Name}: '{error.Message}'")}: a closed client refuses work with an error naming it");
        }
    }

    /// <summary>A client that is not closed refused a submit as closed.</summary>
    public void RefusedWhileOpen(string user, FuturesClient client, ClientClosedException error) =>
        context.Fail(OnlyDocumentedErrors, $"{user}'s submit to {client.Id} was refused ('{error.Message}'), but the client is {client.Status.ToString().ToLowerInvariant()}");

    /// <summary>A call of the futures API threw what its documentation does not name.</summary>
    public void Undocumented(string user, string call, Exception error) =>
        context.Fail(OnlyDocumentedErrors, $"{user}: {call} threw {error.GetType().Name}: {error.Message}");

    /// <summary>The scheduler was told each cancel with a reason the user gave ("" when it gave none).</summary>
    private void WireReasons(KeysCancelled e, TimeSpan now)
    {
        foreach (var key in e.Requested)
        {
            if (ledger.Futures.GetValueOrDefault(key) is { } t && t.Future.Client.Id == e.Client
                && !t.UserReasons.Contains(e.Reason.Length == 0 ? "unknown" : e.Reason))
            {
                context.Fail(UserReasonSeen, $"at {now.TotalSeconds:F3}s the scheduler was told to cancel {key} for reason '{e.Reason}', but {t.User} cancelled it with: {string.Join(", ", t.UserReasons)}");
            }
        }
    }

    private void Attempted(string client, LoggedEvent at)
    {
        // Judged when the client acts, not by the clock: under Coyote a process may be scheduled late.
        if (connectingSince.TryGetValue(client, out var since) && at.Time - since > deadline)
        {
            context.Fail(ReconnectEndsClean, $"{client} started a reconnection attempt at {at.Time.TotalSeconds:F3}s, {(at.Time - since).TotalSeconds:F3}s after it lost the scheduler: past the reconnect deadline + slack ({deadline.TotalSeconds}s) it must be closed");
        }

        // Upstream waits the retry interval between two attempts (BUGGIFY may retry at once on purpose).
        if (lastAttempt.TryGetValue(client, out var last) && at.Time - last < options.RetryInterval
            && !retriedAtOnce.Remove(at.Subject) && !early.HeldBack(last, at.Time, at.Subject))
        {
            context.Fail(ReconnectRetries, $"{client} tried to reconnect at {last.TotalSeconds:F3}s and again at {at.Time.TotalSeconds:F3}s, less than its retry interval ({options.RetryInterval.TotalSeconds}s) apart");
        }

        lastAttempt[client] = at.Time;
    }

    private void GaveUp(ReconnectGaveUp e, TimeSpan now)
    {
        if (connectingSince.TryGetValue(e.Client, out var since) && now - since < options.ReconnectDeadline)
        {
            context.Fail(ReconnectRetries, $"{e.Client} gave up reconnecting at {now.TotalSeconds:F3}s, {(now - since).TotalSeconds:F3}s after it lost the scheduler: before its reconnect deadline ({options.ReconnectDeadline.TotalSeconds}s)");
        }
    }

    private void StatusChanged(ClientStatusChanged e, TimeSpan now)
    {
        connectingSince.Remove(e.Client);
        lastAttempt.Remove(e.Client);
        if (e.New == ClientStatus.Connecting)
        {
            connectingSince[e.Client] = now;
        }
        else if (e is { Old: ClientStatus.Connecting, New: ClientStatus.Running } && ledger.Clients.TryGetValue(e.Client, out var client)
            && client.Held.FirstOrDefault(f => f.Generation < client.Generation) is { } stale)
        {
            context.Fail(ReconnectEndsClean, $"{client.Id} reconnected still holding {stale.Key} from before the connection dropped (generation {stale.Generation}, now {client.Generation})");
        }
    }
}
