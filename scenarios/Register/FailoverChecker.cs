using Sim.Stack.Host;
using Sim.Stack.Register;
using Sim.Worlds;

namespace Sim.Scenarios.Register;

/// <summary>
/// Eligibility of the fallback, judged from the world's view of the processes: a read a client starts while the
/// primary is down and the backup serves is answered by the backup — unless something else happened to the run
/// while it was in flight (any fault, any BUGGIFY path taken), in which case its failure proves nothing.
/// </summary>
public sealed class FailoverChecker
{
    public const string BackupServesWhilePrimaryDown = "backup-serves-reads-while-the-primary-is-down";

    private readonly Dictionary<(string Client, string Key), bool> reads = [];

    public FailoverChecker(ScenarioContext context, Live<RegisterReplica> primary, Live<RegisterReplica> backup)
    {
        context.On<ReadStarted>((e, at) => reads[(at.Subject, e.Key)] = !primary.IsUp && backup.Current is not null);
        context.On<FaultAction>((_, _) => Disturb());
        context.On<BuggifyFired>((_, _) => Disturb());
        context.On<ReadReturned>((e, at) => Judge(context, at, e.Key, e.ServedBy == backup.Name ? null : $"it was answered by {e.ServedBy}"));
        context.On<ReadFailed>((e, at) => Judge(context, at, e.Key, $"it failed: {e.Status} {e.Detail}"));
    }

    private void Disturb()
    {
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
