using Grpc.Core;
using Sim.Stack.Host;
using Sim.Stack.Register;
using Sim.Worlds;

namespace Sim.Scenarios.Register;

/// <summary>
/// Eligibility of the fallback, judged from the world's view of the processes: a read a client starts while the
/// primary is down and the backup serves is answered by the backup — unless something else happened to the run
/// while it was in flight or shortly before it started (any fault, any BUGGIFY path taken: a connection a server
/// closed just before is still closing while the next call goes out on it), in which case its failure proves nothing.
/// </summary>
public sealed class FailoverChecker
{
    public const string BackupServesWhilePrimaryDown = "backup-serves-reads-while-the-primary-is-down";

    /// <summary>How long a disturbance may still break a call: a FIN or reset in flight (latency is at most 50 ms) and its handling.</summary>
    public static readonly TimeSpan Settle = TimeSpan.FromMilliseconds(200);

    private readonly Dictionary<(string Client, string Key), bool> reads = [];
    private TimeSpan? disturbed;

    public FailoverChecker(ScenarioContext context, Live<RegisterReplica> primary, Live<RegisterReplica> backup)
    {
        context.On<ReadStarted>((e, at) => reads[(at.Subject, e.Key)] = !primary.IsUp && backup.Current is not null && (disturbed is not { } last || at.Time - last > Settle));
        context.On<FaultAction>((_, at) => Disturb(at));
        context.On<BuggifyFired>((_, at) => Disturb(at));
        context.On<ReadReturned>((e, at) => Judge(context, at, e.Key, e.ServedBy == backup.Name ? null : $"it was answered by {e.ServedBy}"));
        // Past its deadline proves nothing: Coyote may fire the deadline's timer early (a slow network, explored).
        context.On<ReadFailed>((e, at) => Judge(context, at, e.Key, e.Status == StatusCode.DeadlineExceeded ? null : $"it failed: {e.Status} {e.Detail}"));
    }

    private void Disturb(LoggedEvent at)
    {
        disturbed = at.Time;
        foreach (var read in reads.Keys.ToList())
        {
            reads[read] = false;
        }
    }

    private void Judge(ScenarioContext context, LoggedEvent at, string key, string? wrong)
    {
        if (reads.Remove((at.Subject, key), out var owed) && owed && wrong is not null)
        {
            context.Fail(BackupServesWhilePrimaryDown, $"{at.Subject} read {key} while the primary was down and the backup served, undisturbed, but {wrong}");
        }
    }
}
