using Grpc.Core;
using Sim.Stack.Register;
using Sim.Worlds;

namespace Sim.Scenarios.Register;

/// <summary>
/// Accounting of the focused scenario's writes: the backup's scripted outage (killed, back 30 ms later) is far inside
/// the primary's replication timeout, so the primary's retries must mask it — every write the client makes before the
/// primary is killed is acknowledged. A failure is explained only by something else: a BUGGIFY path taken while the
/// write was in flight or just before it (a connection a server closed is still closing), or a deadline that passed (Coyote may fire a timer early: a slow network, explored).
/// </summary>
public sealed class BriefOutageChecker
{
    public const string BriefBackupOutageIsMasked = "brief-backup-outage-is-masked";

    private readonly Dictionary<(string Key, string Value), bool> inFlight = [];
    private readonly HashSet<(string Key, string Value)> timedOut = [];
    private TimeSpan? buggified;
    private bool primaryKilled;

    public BriefOutageChecker(ScenarioContext context, RegisterModel model, Live primary)
    {
        context.On<WriteStarted>((e, at) => inFlight[(e.Key, e.Value)] = buggified is { } last && at.Time - last <= FailoverChecker.Settle);
        context.On<BuggifyFired>((_, at) =>
        {
            buggified = at.Time;
            foreach (var write in inFlight.Keys.ToList())
            {
                inFlight[write] = true;
            }
        });
        context.On<FaultAction>((a, _) => primaryKilled |= a.Subject == primary.Name);
        context.On<ReplicationFailed>((e, _) =>
        {
            if (e.Status == StatusCode.DeadlineExceeded && model.AssignedValue(e.Key, e.Version) is { } value)
            {
                timedOut.Add((e.Key, value));
            }
        });
        context.On<WriteAcknowledged>((e, _) => inFlight.Remove((e.Key, e.Value)));
        context.On<WriteFailed>((e, at) =>
        {
            var disturbed = inFlight.Remove((e.Key, e.Value), out var wasDisturbed) && wasDisturbed;
            if (!primaryKilled && !disturbed && e.Status != StatusCode.DeadlineExceeded && !timedOut.Contains((e.Key, e.Value)))
            {
                context.Fail(BriefBackupOutageIsMasked, $"{at.Subject}'s write {e.Key}='{e.Value}' failed ({e.Status} {e.Detail}) while only the backup's brief outage happened: the primary must have sent the replication again");
            }
        });
    }
}
