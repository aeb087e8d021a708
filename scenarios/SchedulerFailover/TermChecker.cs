using System.Globalization;
using Grpc.Core;
using Sim.Stack.Rpc;
using Sim.Stack.Scheduler;
using Sim.Stack.Scheduler.Contracts;
using Sim.Worlds;

namespace Sim.Scenarios.SchedulerFailover;

/// <summary>
/// Each replica's terms, judged against the store (eligibility, model-based on <see cref="StoreModel"/> through
/// <see cref="FencingChecker"/>'s terms): a replica leads only at an epoch the store granted it; it steps down only from
/// the term it leads, for one of the reasons the elector documents, each true of what happened — "could not renew for"
/// the configured renew deadline, "the lease moved on to epoch N" where the store granted that replica epoch N, or "the
/// store fenced epoch E: reason" where the store refused that replica's write at E with exactly that reason; and a
/// job's submit is answered by the replica that held the epoch the answer names (the user reads who accepted it and at
/// which term). A new term starts from the store, not from what the replica remembers: its reconciler lists the store
/// before its first write of the term, and judges heartbeats and waiting tasks on its own clock from the term's start
/// (no worker marked unhealthy sooner than the unhealthy mark after the election, no task failed as unschedulable sooner
/// than its lifecycle bound after it). And a leader lists the whole store at its pace (load on the store): no sooner
/// than the resync period after its last list, unless a call of its own failed, its view was stale, or a term began.
/// </summary>
public sealed class TermChecker
{
    public const string Invariant = "replicas-lead-only-terms-the-store-granted";
    public const string FreshTerm = "a-new-term-starts-from-the-store";
    public const string ListPace = "leader-lists-at-its-pace";
    public const string ElectorPace = "elector-retries-at-its-pace";

    /// <summary>client-go's jitter factor: a candidate waits the retry period times one to 1 + 1.2 between attempts.</summary>
    private const double Jitter = 1.2;

    private const string Fenced = "the store fenced epoch ";
    private const string MovedOn = "the lease moved on to epoch ";

    private readonly Dictionary<string, long> leading = new(StringComparer.Ordinal);

    /// <summary>Each replica incarnation's latest term, whether it still leads it or not.</summary>
    private readonly Dictionary<string, long> latest = new(StringComparer.Ordinal);
    private readonly HashSet<(string Writer, long Epoch, string Reason)> fenced = [];

    /// <summary>Each term (replica, epoch): when the replica was elected and whether its reconciler has listed the store since.</summary>
    private readonly Dictionary<(string Replica, long Epoch), (TimeSpan Elected, bool Listed)> terms = [];

    /// <summary>Each replica's last read of the lease (its start), and whether a step-down since excuses an early next one.</summary>
    private readonly Dictionary<string, (TimeSpan Started, bool SteppedDown)> reads = new(StringComparer.Ordinal);

    /// <summary>Each replica's last step-down: a read in flight across it ends with the step-down already behind it.</summary>
    private readonly Dictionary<string, TimeSpan> stepDowns = new(StringComparer.Ordinal);

    /// <summary>Each replica's last list of the store (its end), and whether something since excuses an early next one.</summary>
    private readonly Dictionary<string, (TimeSpan Ended, bool Excused)> lists = new(StringComparer.Ordinal);

    public TermChecker(ScenarioContext context, StoreModel store, FencingChecker fencing, SchedulerOptions options, FaultHistory faults)
    {
        bool Granted(string holder, long epoch) => fencing.Terms.Any(t => t.Holder == holder && t.Epoch == epoch);
        var renew = $"could not renew for {options.RenewDeadline.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture)}s";

        context.On<StoreWriteRefused>((e, at) =>
        {
            if (e.Reason.StartsWith("fenced", StringComparison.Ordinal))
            {
                fenced.Add((e.Writer, e.Epoch, e.Reason));
            }

            FirstWrite(context, e.Writer, e.Key, e.Epoch, e.Expected, at.Time);
        });
        context.On<LeaderElected>((e, at) =>
        {
            leading[at.Subject] = e.Epoch;
            latest[at.Subject] = e.Epoch;
            terms[(at.Subject, e.Epoch)] = (at.Time, false);
            Excuse(at.Subject);
            if (!Granted(at.Subject, e.Epoch))
            {
                context.Fail(Invariant, $"{at.Subject} leads at epoch {e.Epoch}, which the store never granted it (terms: {Terms(fencing)})");
            }
        });
        context.On<LeaderStepDown>((e, at) =>
        {
            var replica = at.Subject;
            var wrong = !leading.TryGetValue(replica, out var term) || term != e.Epoch ? $"it leads {(leading.ContainsKey(replica) ? $"epoch {term}" : "no term")}"
                : e.Reason == renew ? null
                : e.Reason.StartsWith(MovedOn, StringComparison.Ordinal)
                    ? long.TryParse(e.Reason[MovedOn.Length..], NumberStyles.None, CultureInfo.InvariantCulture, out var moved) && moved != term && Granted(replica, moved) ? null
                    : $"the store never granted it that epoch (terms: {Terms(fencing)})"
                : e.Reason.StartsWith($"{Fenced}{term}: ", StringComparison.Ordinal)
                    ? fenced.Contains((replica, term, e.Reason[$"{Fenced}{term}: ".Length..])) ? null : "the store refused none of its writes at that epoch with that reason"
                : $"not a reason the elector gives (\"{renew}\", \"{MovedOn}N\", \"{Fenced}{term}: <the store's refusal>\")";
            if (wrong is not null)
            {
                context.Fail(Invariant, $"{replica} stepped down from epoch {e.Epoch} (\"{e.Reason}\"): {wrong}");
            }

            leading.Remove(replica);
            stepDowns[replica] = at.Time;
            if (reads.TryGetValue(replica, out var read))
            {
                reads[replica] = read with { SteppedDown = true };
            }
        });
        context.On<ProcessStarted>((_, at) =>
        {
            leading.Remove(at.Subject);
            latest.Remove(at.Subject);
            reads.Remove(at.Subject);
            Excuse(at.Subject);
        });
        context.On<ViewStale>((_, at) => Excuse(at.Subject));
        var slowest = (options.RetryPeriod * (1 + Jitter)) + (options.CallTimeout * 2) + TimeSpan.FromMilliseconds(1);
        context.On<RpcCompleted>((e, at) =>
        {
            // A replica's only reads are its elector's reads of the lease (its view comes from lists and a watch).
            if (e.Method.EndsWith("/Get", StringComparison.Ordinal) && at.Subject.StartsWith("replica", StringComparison.Ordinal) && at.Subject != RogueReplica.Name)
            {
                if (reads.TryGetValue(at.Subject, out var read))
                {
                    // A fault on the replica in between (a pause above all: its timers all fire on resume) excuses either edge.
                    var gap = e.Started - read.Started;
                    var struck = faults.Striking(read.Started, e.Started, f => f is not FaultAction.Skew && FaultHistory.Touches(f, [at.Subject], [$"m-{at.Subject}"])).Any();
                    var wrong = struck ? null
                        : gap < options.RetryPeriod && !read.SteppedDown ? $"{gap.TotalSeconds:F3}s after its last began, untouched by faults; it retries every {options.RetryPeriod.TotalSeconds:0.###}s at least"
                        : gap > slowest ? $"{gap.TotalSeconds:F3}s after its last began, untouched by faults; the jittered retry period and an attempt's two calls take {slowest.TotalSeconds:F3}s at most"
                        : null;
                    if (wrong is not null)
                    {
                        context.Fail(ElectorPace, $"{at.Subject} read the lease at {e.Started.TotalSeconds:F6}s, {wrong}");
                    }
                }

                // A step-down while this read was in flight (the reconciler's fenced write during a renew) excuses the next read too.
                reads[at.Subject] = (e.Started, stepDowns.TryGetValue(at.Subject, out var down) && down >= e.Started);
            }

            if (!e.Method.EndsWith("/List", StringComparison.Ordinal))
            {
                if (!e.Ok)
                {
                    Excuse(at.Subject);
                }

                return;
            }

            if (lists.TryGetValue(at.Subject, out var last) && !last.Excused && e.Started - last.Ended < Reconciler.ResyncEvery)
            {
                context.Fail(ListPace, $"{at.Subject} listed the store at {e.Started.TotalSeconds:F6}s, {(e.Started - last.Ended).TotalSeconds:F3}s after its last list ended, with no failed call, stale view or new term between; it lists every {Reconciler.ResyncEvery.TotalSeconds:0.###}s");
            }

            lists[at.Subject] = (at.Time, !e.Ok);
            // The latest term of this incarnation, stepped down from or not: a pass of it in flight keeps writing at its epoch.
            if (e.Ok && latest.TryGetValue(at.Subject, out var epoch) && terms[(at.Subject, epoch)] is var term && term.Elected <= e.Started)
            {
                terms[(at.Subject, epoch)] = term with { Listed = true };
            }
        });
        context.On<StoreWriteAccepted>((e, at) => FirstWrite(context, e.Writer, e.Key, e.Epoch, e.Expected, at.Time));
        store.OnChange(change =>
        {
            if (!terms.TryGetValue((change.Writer, change.Epoch), out var term))
            {
                return;
            }

            var into = change.At.Time - term.Elected;
            if (change.Key.StartsWith(StoreKeys.Health, StringComparison.Ordinal) && WorkerHealth.Parser.ParseFrom(change.After) is { Healthy: false } health && into < options.UnhealthyAfter)
            {
                context.Fail(FreshTerm, $"{change.Writer} marked {health.Worker} unhealthy ('{health.Reason}') {into.TotalSeconds:F3}s into its term at epoch {change.Epoch}; a new leader observes heartbeats for {options.UnhealthyAfter.TotalSeconds:0.###}s first");
            }

            if (change.Key.StartsWith(StoreKeys.Tasks, StringComparison.Ordinal) && TaskObject.Parser.ParseFrom(change.After) is { State: TaskState.TaskFailed, CommittedAttempt: 0 } task
                && task.Reason.StartsWith("no healthy machine", StringComparison.Ordinal) && into < options.LifecycleBound)
            {
                context.Fail(FreshTerm, $"{change.Writer} failed {task.Job}/{task.Spec.Name} as unschedulable {into.TotalSeconds:F3}s into its term at epoch {change.Epoch}; a new leader lets a ready task wait its whole lifecycle bound ({options.LifecycleBound.TotalSeconds:0.###}s)");
            }
        });
    }

    /// <summary>A reconciler write (not a submit's create of a job or task) of the current term before the term's first list.</summary>
    private void FirstWrite(ScenarioContext context, string writer, string key, long epoch, long expected, TimeSpan at)
    {
        var create = expected == 0 && (key.StartsWith(StoreKeys.Jobs, StringComparison.Ordinal) || key.StartsWith(StoreKeys.Tasks, StringComparison.Ordinal));
        if (StoreKeys.IsFenced(key) && !create && terms.TryGetValue((writer, epoch), out var term) && !term.Listed)
        {
            context.Fail(FreshTerm, $"{writer} wrote {key} at epoch {epoch} ({at.TotalSeconds:F6}s), elected at {term.Elected.TotalSeconds:F6}s, before its reconciler listed the store in this term");
        }
    }

    private void Excuse(string process)
    {
        if (lists.TryGetValue(process, out var last))
        {
            lists[process] = last with { Excused = true };
        }
    }

    private static string Terms(FencingChecker fencing) => string.Join(", ", fencing.Terms.Select(t => $"{t.Epoch} {t.Holder}"));
}
