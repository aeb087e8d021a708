using Sim.Stack.Futures;

namespace Sim.Scenarios.Futures;

/// <summary>
/// The client-futures invariants of SCENARIOS.md section 2, over the clients' typed status events and what users
/// see: a future pending when the connection dropped fails with the connection-loss reason and message, never a
/// bare cancellation; a user's cancel reason is the reason the user sees; a client is running or closed within the
/// reconnect deadline, holding no stale future. (No future waits forever: <see cref="FuturesAccounting"/>.)
/// </summary>
public sealed class FuturesChecker
{
    public const string CancelledWithConnectionLost = "pending-futures-cancelled-with-connection-lost-reason";
    public const string NoFutureWaitsForever = "no-future-waits-forever";
    public const string ReconnectEndsClean = "reconnect-leaves-no-stale-futures-within-deadline";
    public const string UserReasonSeen = "user-cancel-reason-is-the-reason-seen";

    private readonly ScenarioContext context;
    private readonly TimeSpan deadline;
    private readonly FuturesLedger ledger;
    private readonly Dictionary<string, TimeSpan> connectingSince = new(StringComparer.Ordinal);

    /// <param name="deadline">The reconnect deadline plus the slack a client is allowed past it.</param>
    public FuturesChecker(ScenarioContext context, FuturesLedger ledger, TimeSpan deadline)
    {
        this.context = context;
        this.ledger = ledger;
        this.deadline = deadline;
        context.On<ClientStatusChanged>((e, at) => StatusChanged(e, at.Time));

        // Judged when the client acts, not by the clock: under Coyote a process may be scheduled late.
        context.On<ReconnectAttempted>((e, at) =>
        {
            if (connectingSince.TryGetValue(e.Client, out var since) && at.Time - since > deadline)
            {
                context.Fail(ReconnectEndsClean, $"{e.Client} started a reconnection attempt at {at.Time.TotalSeconds:F3}s, {(at.Time - since).TotalSeconds:F3}s after it lost the scheduler: past the reconnect deadline + slack ({deadline.TotalSeconds}s) it must be closed");
            }
        });
        context.Eventually(ReconnectEndsClean, () => connectingSince.FirstOrDefault(c => context.World.Now - c.Value > deadline) is { Key: { } id, Value: var since }
            ? $"{id} has been connecting since {since.TotalSeconds:F3}s, longer than the reconnect deadline + slack ({deadline.TotalSeconds}s): it is neither running nor closed"
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

    /// <summary>A user's cancel returned within one generation of its client: the future must carry the user's reason.</summary>
    public void UserCancelled(Tracked t, string reason, string msg, bool viaFuture)
    {
        var future = t.Future;
        if (!future.IsDone)
        {
            context.Fail(UserReasonSeen, $"{t.User} cancelled {future.Key} with reason '{reason}' and the call returned, but the future is still pending");
        }
        else if (future.Exception is FutureCancelledException seen && (seen.Reason != reason || seen.Msg != msg))
        {
            context.Fail(UserReasonSeen, $"{t.User} cancelled {future.Key} {(viaFuture ? "through the future" : "through the client")} with reason '{reason}', but the user saw: {seen.Message.Replace("\n", " ", StringComparison.Ordinal)}");
        }
    }

    private void StatusChanged(ClientStatusChanged e, TimeSpan now)
    {
        connectingSince.Remove(e.Client);
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
