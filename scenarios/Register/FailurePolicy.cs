using Grpc.Core;
using Sim.Stack.Host;
using Sim.Stack.Register;
using Sim.Stack.Rpc;
using Sim.Worlds;

namespace Sim.Scenarios.Register;

/// <summary>
/// How the register fails, as its users and its backup see it.
/// <list type="bullet">
/// <item>Accounting: every failed write, read and scan names its cause — a status and a non-empty detail — so the
/// client can tell "the backup did not confirm" from "the primary is down" (a bare status is not a clear error).</item>
/// <item>Resources: the primary retries replication with its backoff, never in a storm: within any span shorter than
/// the backoff, its failed replication calls number at most the writes it was serving in that span (each write's
/// replication loop fails at most once per backoff), so a backup that refuses connections is not hammered.</item>
/// </list>
/// </summary>
public sealed class FailurePolicy
{
    public const string FailuresNameTheirCause = FailureCause.Invariant;
    public const string ReplicationBacksOff = "replication-retries-back-off";

    private readonly Dictionary<string, Serving> serving = new(StringComparer.Ordinal);

    public FailurePolicy(ScenarioContext context, Live primary, TimeSpan backoff)
    {
        context.On<WriteFailed>((e, at) => Named(context, at, $"write {e.Key}='{e.Value}'", e.Status, e.Detail));
        context.On<ReadFailed>((e, at) => Named(context, at, $"read {e.Key}", e.Status, e.Detail));
        context.On<ScanFailed>((e, at) => Named(context, at, $"scan '{e.Prefix}'", e.Status, e.Detail));

        context.On<ProcessStarted>((_, at) => serving[at.Subject] = new Serving());
        context.On<RpcAccepted>((e, at) =>
        {
            if (IsWrite(e.Method))
            {
                Of(at.Subject).Writes++;
            }
        });
        context.On<RpcHandled>((e, at) =>
        {
            if (IsWrite(e.Method))
            {
                var s = Of(at.Subject);
                s.Writes--;
                s.Ended.Enqueue(at.Time);
            }
        });
        context.On<RpcCompleted>((e, at) =>
        {
            if (at.Subject != primary.Name || !e.Method.EndsWith("/Replicate", StringComparison.Ordinal) || e.Status == StatusCode.OK)
            {
                return;
            }

            var s = Of(at.Subject);
            s.Failures.Enqueue(at.Time);
            while (s.Failures.Peek() <= at.Time - backoff)
            {
                s.Failures.Dequeue();
            }

            while (s.Ended.Count > 0 && s.Ended.Peek() <= at.Time - backoff)
            {
                s.Ended.Dequeue();
            }

            var writes = s.Writes + s.Ended.Count;
            if (s.Failures.Count > writes)
            {
                context.Fail(ReplicationBacksOff, $"{at.Subject}'s replication failed {s.Failures.Count} times within {backoff.TotalMilliseconds} ms (its backoff) while serving at most {writes} write(s): the last '{e.Status}: {e.Detail}'");
            }
        });
    }

    private static bool IsWrite(string method) => method.EndsWith("/Write", StringComparison.Ordinal);

    private static void Named(ScenarioContext context, LoggedEvent at, string operation, StatusCode status, string detail) =>
        FailureCause.Require(context, at, operation, status, detail);

    private Serving Of(string process) => serving.TryGetValue(process, out var s) ? s : serving[process] = new Serving();

    private sealed class Serving
    {
        public int Writes { get; set; }

        public Queue<TimeSpan> Failures { get; } = new();

        public Queue<TimeSpan> Ended { get; } = new();
    }
}
