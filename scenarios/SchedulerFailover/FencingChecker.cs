using Sim.Stack.Scheduler;
using Sim.Stack.Scheduler.Contracts;

namespace Sim.Scenarios.SchedulerFailover;

/// <summary>
/// The lease and fencing, judged at the store (model-based on <see cref="StoreModel"/>). Lease: every term takes the
/// next epoch (a renewal keeps it), and no two replicas believe they lead at the same epoch. Fencing (uniqueness of
/// the leader): at most one replica's writes are accepted per epoch, and every accepted leader write (jobs/, tasks/,
/// health/) carries the epoch and holder of the lease granted last, so nothing a deposed leader writes is accepted
/// once a newer lease was granted — the paused leader resuming mid-pass is the case that matters. The other edge
/// (over-refusal: the current holder's write at the current epoch never fenced) is <see cref="StoreRules"/>'s, which
/// re-judges every refusal. The lease record
/// is kept as client-go keeps it: written by its holder with the configured duration, a renewal keeping the acquire
/// time and transition count, a new term counting a transition when the holder changes.
/// </summary>
public sealed class FencingChecker
{
    public const string EpochsGrow = "lease-epochs-grow-by-one";
    public const string OneLeaderPerEpoch = "one-leader-per-epoch";
    public const string OneWriterPerEpoch = "one-writer-per-epoch";
    public const string NoDeposedWrites = "no-write-from-a-deposed-leader";

    private readonly Dictionary<long, string> writers = [];
    private readonly Dictionary<long, string> leaders = [];

    public const string LeaseRecordKept = "lease-record-as-client-go-keeps-it";

    private readonly SchedulerOptions options;

    public FencingChecker(ScenarioContext context, StoreModel store, SchedulerOptions options)
    {
        this.options = options;
        store.OnChange(change =>
        {
            if (change.Key == StoreKeys.Lease)
            {
                Lease(context, change);
            }
            else if (StoreKeys.IsFenced(change.Key) && change.Epoch >= 0)
            {
                Fenced(context, change);
            }
        });
        context.On<LeaderElected>((e, at) =>
        {
            if (leaders.TryGetValue(e.Epoch, out var other) && other != at.Subject)
            {
                context.Fail(OneLeaderPerEpoch, $"{at.Subject} leads at epoch {e.Epoch}, which {other} led");
            }

            leaders[e.Epoch] = at.Subject;
        });
    }

    /// <summary>The lease granted last, as the model holds it.</summary>
    public LeaseRecord? Current { get; private set; }

    /// <summary>Each change of holder or epoch: when, to whom, at which epoch.</summary>
    public List<(TimeSpan At, string Holder, long Epoch)> Terms { get; } = [];

    private void Lease(ScenarioContext context, StoreChange change)
    {
        var next = LeaseRecord.Parser.ParseFrom(change.After);
        var epoch = Current?.Epoch ?? 0;
        var renewal = Current is not null && Current.Holder == next.Holder && Current.Epoch == next.Epoch;
        if (!renewal && next.Epoch != epoch + 1)
        {
            context.Fail(EpochsGrow, $"{next.Holder} took the lease at epoch {next.Epoch} after epoch {epoch} ({Current?.Holder})");
        }

        if (!renewal)
        {
            Terms.Add((change.At.Time, next.Holder, next.Epoch));
        }

        // The record itself, as client-go's LeaderElectionRecord: written by its holder, the configured lease duration,
        // the acquire time and the transition count kept by a renewal, a new term counting a transition when the holder changes.
        var transitions = Current is null ? 0 : Current.Transitions + (Current.Holder == next.Holder ? 0 : 1);
        var wrong = change.Writer != next.Holder && change.Writer != StoreModel.RecoveredWriter ? $"written by {change.Writer}, not its holder"
            : next.LeaseDurationMs != (long)options.LeaseDuration.TotalMilliseconds ? $"a lease duration of {next.LeaseDurationMs} ms, not the configured {options.LeaseDuration.TotalMilliseconds:F0}"
            : renewal && (next.Transitions != Current!.Transitions || next.AcquireTimeMs != Current.AcquireTimeMs) ? "a renewal changed the transition count or the acquire time"
            : !renewal && next.Transitions != transitions ? $"{next.Transitions} transitions; after {Current?.Holder ?? "nobody"}'s {Current?.Transitions ?? 0} a new term of {next.Holder} makes {transitions}"
            : !renewal && next.AcquireTimeMs != next.RenewTimeMs ? "a new term's acquire and renew times differ"
            : null;
        if (wrong is not null)
        {
            context.Fail(LeaseRecordKept, $"the lease at epoch {next.Epoch} held by {next.Holder}: {wrong}");
        }

        Current = next;
    }

    private void Fenced(ScenarioContext context, StoreChange change)
    {
        if (writers.TryGetValue(change.Epoch, out var other) && other != change.Writer)
        {
            context.Fail(OneWriterPerEpoch, $"the store accepted {change.Key} from {change.Writer} at epoch {change.Epoch}, an epoch {other} wrote at");
        }

        writers[change.Epoch] = change.Writer;
        if (Current is null || change.Epoch != Current.Epoch || change.Writer != Current.Holder)
        {
            context.Fail(NoDeposedWrites, $"the store accepted {change.Key} from {change.Writer} at epoch {change.Epoch} after it granted epoch {Current?.Epoch ?? 0} to {Current?.Holder ?? "nobody"}");
        }
    }
}
