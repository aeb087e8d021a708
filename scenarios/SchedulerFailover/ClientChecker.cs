using Grpc.Core;
using Sim.Stack.Rpc;
using Sim.Stack.Scheduler;

namespace Sim.Scenarios.SchedulerFailover;

/// <summary>
/// The submit client, judged from the calls it makes (eligibility of its retries, accounting of its tries): a submit is
/// a run of Submit calls, each next one starting no sooner than one backoff after the last ended; after a replica answers that it does
/// not lead and names a replica as the lease's holder, the next try goes to that holder; the job's accepted answer names
/// the replica that gave it, and the tries the user is told (or the client gives up after) are the calls it made. A client that hammers replicas
/// without backoff, ignores the redirect, or miscounts its tries is what this checker sees.
/// </summary>
public sealed class ClientChecker
{
    public const string Invariant = "submits-follow-the-leader";

    private const string Submit = "/Submit";
    private const string HeldBy = "the lease is held by ";

    /// <summary>Each client's submit in progress: its calls so far and the last one's end.</summary>
    private readonly Dictionary<string, (int Calls, TimeSpan Ended, RpcCompleted Last)> open = new(StringComparer.Ordinal);

    private readonly Dictionary<string, (int Calls, string Target)> accepted = new(StringComparer.Ordinal);

    public ClientChecker(ScenarioContext context, SchedulerTopology topology, TimeSpan backoff)
    {
        context.On<RpcCompleted>((e, at) =>
        {
            if (!e.Method.EndsWith(Submit, StringComparison.Ordinal))
            {
                return;
            }

            var client = at.Subject;
            var target = Host(e.Target);
            var calls = 1;

            // A submit's tries run until one is answered OK, one fails in a way the client does not retry, or it gives up.
            if (open.TryGetValue(client, out var last))
            {
                calls = last.Calls + 1;
                var wrong = e.Started - last.Ended < backoff - Slack ? $"started {(e.Started - last.Ended).TotalMilliseconds:F3} ms after its last try ended; the client backs off {backoff.TotalMilliseconds:F0} ms"
                    : Redirect(last.Last, topology) is { } holder && target != holder ? $"went to {target}, but {Host(last.Last.Target)} had just answered that {holder} holds the lease"
                    : null;
                if (wrong is not null)
                {
                    context.Fail(Invariant, $"{client}'s submit try {calls} {wrong}");
                }
            }

            open.Remove(client);
            if (e.Ok)
            {
                accepted[client] = (calls, target);
            }
            else if (e.Status is StatusCode.Unavailable or StatusCode.DeadlineExceeded or StatusCode.Cancelled || (e.Status == StatusCode.FailedPrecondition && e.Detail.Contains(HeldBy, StringComparison.Ordinal)))
            {
                // Retried (the client's catch): anything else ends the submit with an error.
                open[client] = (calls, at.Time, e);
            }
        });
        context.On<SubmitGaveUp>((e, at) =>
        {
            var made = open.Remove(at.Subject, out var last) ? last.Calls : 0;
            if (e.Tries != made)
            {
                context.Fail(Invariant, $"{at.Subject} gave up on job {e.Job} after {e.Tries} tries by its count; it made {made} calls");
            }
        });
        context.On<JobSubmitted>((e, at) =>
        {
            var wrong = !accepted.Remove(at.Subject, out var ok) ? "no Submit call of it was answered OK"
                : e.AcceptedBy != ok.Target ? $"the answer names {e.AcceptedBy}, but {ok.Target} gave it"
                : e.Tries != ok.Calls ? $"the user was told {e.Tries} tries; it made {ok.Calls} calls"
                : null;
            if (wrong is not null)
            {
                context.Fail(Invariant, $"{at.Subject}'s job {e.Job} was accepted: {wrong}");
            }
        });
    }

    /// <summary>Two tries of one submit are at least one backoff apart, to the microsecond.</summary>
    private static readonly TimeSpan Slack = TimeSpan.FromTicks(10);

    /// <summary>The replica a not-the-leader answer sends the client to, if it names another replica.</summary>
    private static string? Redirect(RpcCompleted answer, SchedulerTopology topology)
    {
        if (answer.Status != StatusCode.FailedPrecondition || answer.Detail.IndexOf(HeldBy, StringComparison.Ordinal) is var at && at < 0)
        {
            return null;
        }

        var holder = answer.Detail[(at + HeldBy.Length)..];
        return topology.ReplicaNames.Contains(holder) && holder != Host(answer.Target) ? holder : null;
    }

    private static string Host(string target) => target.Split(':')[0];
}
