using Grpc.Core;
using Sim.Stack.Gateway;
using Sim.Worlds;

namespace Sim.Scenarios.Gateway;

/// <summary>
/// How a gateway retries a forward to the next gateway (OSX: 3 tries, 100 ms apart), judged per gateway incarnation and
/// request id from its own events. Safety: the tries of one forward are numbered 1, 2, 3 and never more; a try after the
/// first follows a failed try it names (<see cref="ForwardRetried"/> with the previous number), no sooner than the retry
/// delay after it; only a failure the next hop may not have acted on is retried (Unavailable, or DeadlineExceeded
/// before the caller's own deadline) — never a refusal the next hop decided (PermissionDenied, ResourceExhausted, ...).
/// </summary>
public sealed class RetryChecker
{
    public const string Invariant = "forward-retries-as-configured";

    // Per (gateway, request id): failed tries not yet followed by their retry (number, when the failure was reported).
    // One id may have several forwards in flight at a gateway (the previous hop retried while this one waits).
    private readonly Dictionary<(string Gateway, string Id), List<(int Try, TimeSpan FailedAt)>> awaiting = [];

    public RetryChecker(ScenarioContext context, int tries, TimeSpan delay)
    {
        context.On<ProcessStarted>((_, at) =>
        {
            foreach (var key in awaiting.Keys.Where(k => k.Gateway == at.Subject).ToList())
            {
                awaiting.Remove(key);
            }
        });
        context.On<RequestRouted>((e, at) =>
        {
            if (!e.ToGateway || e.Attempt == 1)
            {
                return;
            }

            var failed = awaiting.GetValueOrDefault((at.Subject, e.RequestId)) ?? [];
            var index = failed.FindIndex(f => f.Try == e.Attempt - 1 && at.Time - f.FailedAt >= delay);
            if (e.Attempt < 1 || e.Attempt > tries || index < 0)
            {
                var why = e.Attempt < 1 || e.Attempt > tries ? $"try {e.Attempt} of a forward that may take {tries}"
                    : failed.Any(f => f.Try == e.Attempt - 1) ? $"try {e.Attempt} sooner than {delay.TotalMilliseconds} ms after try {e.Attempt - 1} failed"
                    : $"try {e.Attempt} without a failed try {e.Attempt - 1} before it";
                context.Fail(Invariant, $"{at.Subject} forwarded {e.RequestId} to {e.Endpoint}: {why}");
                return;
            }

            failed.RemoveAt(index);
        });
        context.On<ForwardRetried>((e, at) =>
        {
            if (e.Status is not (StatusCode.Unavailable or StatusCode.DeadlineExceeded))
            {
                context.Fail(Invariant, $"{at.Subject} retried {e.RequestId} after try {e.Attempt} ended {e.Status}: {e.Detail} — a refusal the next hop decided is not retried");
            }

            if (e.Attempt >= tries)
            {
                context.Fail(Invariant, $"{at.Subject} retries {e.RequestId} after try {e.Attempt}, but a forward takes at most {tries} tries");
            }

            var key = (at.Subject, e.RequestId);
            (awaiting.TryGetValue(key, out var failed) ? failed : awaiting[key] = []).Add((e.Attempt, at.Time));
            Retries++;
        });
    }

    public int Retries { get; private set; }
}
