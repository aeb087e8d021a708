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

    private readonly TimeSpan backoff;

    public FailurePolicy(ScenarioContext context, Live primary, TimeSpan backoff)
    {
        this.backoff = backoff;
        context.On<WriteFailed>((e, at) => Named(context, at, $"write {e.Key}='{e.Value}'", e.Status, e.Detail));
        context.On<ReadFailed>((e, at) => Named(context, at, $"read {e.Key}", e.Status, e.Detail));
        context.On<ScanFailed>((e, at) => Named(context, at, $"scan '{e.Prefix}'", e.Status, e.Detail));

        context.On<ProcessStarted>((_, at) => serving[at.Subject] = new Serving(backoff));
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
                s.Ended.Note(at.Time);
            }
        });
        context.On<RpcCompleted>((e, at) =>
        {
            if (at.Subject != primary.Name || !e.Method.EndsWith("/Replicate", StringComparison.Ordinal) || e.Status == StatusCode.OK)
            {
                return;
            }

            var s = Of(at.Subject);
            var failures = s.Failures.Add(at.Time);
            var writes = s.Writes + s.Ended.CountAt(at.Time);
            if (failures > writes)
            {
                context.Fail(ReplicationBacksOff, $"{at.Subject}'s replication failed {failures} times within {backoff.TotalMilliseconds} ms (its backoff) while serving at most {writes} write(s): the last '{e.Status}: {e.Detail}'");
            }
        });
    }

    private static bool IsWrite(string method) => method.EndsWith("/Write", StringComparison.Ordinal);

    private static void Named(ScenarioContext context, LoggedEvent at, string operation, StatusCode status, string detail) =>
        FailureCause.Require(context, at, operation, status, detail);

    private Serving Of(string process) => serving.TryGetValue(process, out var s) ? s : serving[process] = new Serving(backoff);

    private sealed class Serving(TimeSpan backoff)
    {
        public int Writes { get; set; }

        public TrailingWindow Failures { get; } = new(backoff);

        public TrailingWindow Ended { get; } = new(backoff);
    }
}
