using Sim.Stack.Futures;
using Sim.Stack.Rpc;
using Sim.Worlds;

namespace Sim.Scenarios.Futures;

/// <summary>
/// How a client sends its submissions (upstream: a message is sent until the scheduler has it): each submission is
/// sent until the scheduler takes it, then never again (a user's client makes no more successful submit calls than
/// it made submissions and connections that flushed its buffer); a failed one is retried only after the retry
/// interval; and not once its generation has ended (at most the attempt that was in flight when it ended fails
/// afterwards: the session it was made in is over, the scheduler would refuse it forever).
/// </summary>
public sealed class FuturesSubmissions
{
    public const string SentUntilTaken = "a-submission-is-sent-until-taken-at-the-retry-interval";

    private const string SubmitMethod = "/sim.futures.Scheduler/Submit";

    private readonly ScenarioContext context;
    private readonly FuturesLedger ledger;
    private readonly TimeSpan retryInterval;
    private readonly EarlyFires early;
    private readonly Dictionary<string, int> sends = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> taken = new(StringComparer.Ordinal);
    private readonly Dictionary<string, TimeSpan> lastFailure = new(StringComparer.Ordinal);
    private readonly HashSet<string> failedAfterItsGeneration = new(StringComparer.Ordinal);

    public FuturesSubmissions(ScenarioContext context, FuturesLedger ledger, TimeSpan retryInterval)
    {
        this.context = context;
        this.ledger = ledger;
        this.retryInterval = retryInterval;
        early = new EarlyFires(context);
        // Each submission sent at once, and each connection (which flushes what was buffered), is one send to make.
        context.On<FutureSubmitted>((e, at) => sends[at.Subject] = sends.GetValueOrDefault(at.Subject) + (e.Buffered ? 0 : 1));
        context.On<ClientConnected>((_, at) => sends[at.Subject] = sends.GetValueOrDefault(at.Subject) + 1);
        context.On<RpcCompleted>((e, at) => Completed(e, at));
        context.On<SubmitFailed>((e, at) => Failed(e, at));
    }

    private void Completed(RpcCompleted e, LoggedEvent at)
    {
        if (e.Method != SubmitMethod || !e.Ok || !ledger.Users.Contains(at.Subject))
        {
            return;
        }

        taken[at.Subject] = taken.GetValueOrDefault(at.Subject) + 1;
        if (taken[at.Subject] > sends.GetValueOrDefault(at.Subject))
        {
            context.Fail(SentUntilTaken, $"at {at.Time.TotalSeconds:F3}s {at.Subject}'s clients had {taken[at.Subject]} submit call(s) taken by the scheduler, but made only {sends.GetValueOrDefault(at.Subject)} submission(s) and connection(s) to send: a submission the scheduler had was sent again");
        }
    }

    private void Failed(SubmitFailed e, LoggedEvent at)
    {
        var id = $"{e.Client}/{e.Key}";
        if (lastFailure.TryGetValue(id, out var last) && at.Time - last < retryInterval && !early.HeldBack(last, at.Time, at.Subject))
        {
            context.Fail(SentUntilTaken, $"{e.Client}'s submission of {e.Key} failed at {last.TotalSeconds:F3}s and again at {at.Time.TotalSeconds:F3}s, less than the retry interval ({retryInterval.TotalSeconds}s) apart");
        }

        lastFailure[id] = at.Time;
        if (ledger.Futures.GetValueOrDefault(e.Key) is { } t && ledger.Clients.GetValueOrDefault(e.Client) is { } client
            && t.Future.Generation < client.Generation && !failedAfterItsGeneration.Add(id))
        {
            context.Fail(SentUntilTaken, $"at {at.Time.TotalSeconds:F3}s {e.Client} retried its submission of {e.Key} ({e.Status}), of generation {t.Future.Generation}, after that generation ended (now {client.Generation}): its session is over, it can never succeed");
        }
    }
}
