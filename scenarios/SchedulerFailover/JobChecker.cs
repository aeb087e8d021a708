using Sim.Stack.Scheduler;
using Sim.Stack.Scheduler.Contracts;

namespace Sim.Scenarios.SchedulerFailover;

/// <summary>
/// Jobs, from submission to end. Accounting (safety): a job ends once, its outcome matches its tasks (succeeded: every
/// task succeeded; failed: a reason naming a task that did not), every task that ends without success says why, and
/// what a user saw is what the store holds. Liveness (at the horizon, faults quiet since the quiet point and every
/// worker back): every job in the store has ended, every job a user got accepted was seen ending by that user, and a
/// task no machine can ever take ended within its lifecycle bound after it became ready — failed with "no healthy
/// machine with N free CPUs", or skipped when its job failed first — (or after the quiet point, plus one failover: a new leader starts the wait over on its own clock).
/// </summary>
public sealed class JobChecker
{
    public const string Outcome = "job-outcome-matches-its-tasks";
    public const string Reasons = "task-without-success-says-why";
    public const string UserSees = "user-sees-what-the-store-holds";
    public const string Ends = "every-job-ends";
    public const string Unplaceable = "unplaceable-task-fails-with-a-reason-in-bound";

    private readonly StoreModel store;
    private readonly Dictionary<string, TimeSpan> readyAt = new(StringComparer.Ordinal);
    private readonly Dictionary<string, (TimeSpan Ready, TimeSpan? Ended, TaskState State, string Reason)> unplaceable = new(StringComparer.Ordinal);
    private readonly Dictionary<string, (string User, JobState? Seen)> accepted = new(StringComparer.Ordinal);

    public JobChecker(ScenarioContext context, StoreModel store, TimeSpan bound, TimeSpan failover)
    {
        this.store = store;
        store.OnChange(change =>
        {
            if (change.Key.StartsWith(StoreKeys.Jobs, StringComparison.Ordinal))
            {
                Job(context, change);
            }
            else if (change.Key.StartsWith(StoreKeys.Tasks, StringComparison.Ordinal))
            {
                Task(context, change);
            }
        });
        context.On<JobSubmitted>((e, at) => accepted[e.Job] = (at.Subject, null));
        context.On<JobObserved>((e, at) =>
        {
            var held = store.Value(StoreKeys.Job(e.Job)) is { } j ? JobObject.Parser.ParseFrom(j) : null;
            if (held is null || held.State != e.State || accepted.GetValueOrDefault(e.Job).Seen is not null)
            {
                context.Fail(UserSees, $"{at.Subject} saw job {e.Job} end {e.State} ({e.Reason}); the store holds {held?.State.ToString() ?? "no such job"}{(accepted.GetValueOrDefault(e.Job).Seen is { } s ? $", and it had seen it end {s} already" : "")}");
            }

            accepted[e.Job] = (at.Subject, e.State);
        });
        context.Eventually(Ends, () => Running().Select(j => $"job {j} is still running at the horizon").FirstOrDefault()
            ?? accepted.Where(a => a.Value.Seen is null).Select(a => $"{a.Value.User} never saw its job {a.Key} end").FirstOrDefault());
        context.Eventually(Unplaceable, () => unplaceable
            .Select(u => (u.Key, u.Value, Due: Max(u.Value.Ready, context.EffectiveQuietAt) + bound + failover))
            .Where(u => u.Due < context.Horizon && (u.Value.Ended is not { } ended || ended > u.Due || (u.Value.State == TaskState.TaskFailed && !u.Value.Reason.StartsWith("no healthy machine with ", StringComparison.Ordinal))))
            .Select(u => $"{u.Key} (no machine has its CPUs) became ready at {u.Value.Ready.TotalSeconds:F3}s and {(u.Value.Ended is { } f ? $"ended {u.Value.State} at {f.TotalSeconds:F3}s: '{u.Value.Reason}'" : "never ended")}; due by {u.Due.TotalSeconds:F3}s")
            .FirstOrDefault());
    }

    /// <summary>When each pending task of an existing job last had all its dependencies succeeded, by task key.</summary>
    public TimeSpan? ReadyAt(string taskKey) => readyAt.TryGetValue(taskKey, out var at) ? at : null;

    public int Jobs => store.Under(StoreKeys.Jobs).Count();

    public IEnumerable<JobObject> All => store.Under(StoreKeys.Jobs).Select(j => JobObject.Parser.ParseFrom(j.Value));

    private IEnumerable<string> Running() => All.Where(j => j.State == JobState.JobRunning).Select(j => j.Spec.Id);

    private void Job(ScenarioContext context, StoreChange change)
    {
        var before = change.Before is null ? null : JobObject.Parser.ParseFrom(change.Before);
        var after = JobObject.Parser.ParseFrom(change.After);
        if (before is { State: not JobState.JobRunning } && before.State != after.State)
        {
            context.Fail(Outcome, $"job {after.Spec.Id} ended {before.State}, then {after.State}");
        }

        if (after.State != JobState.JobRunning)
        {
            var tasks = store.Under($"{StoreKeys.Tasks}{after.Spec.Id}/").Select(t => TaskObject.Parser.ParseFrom(t.Value)).ToList();
            var unsuccessful = tasks.Where(t => t.State != TaskState.TaskSucceeded).ToList();
            if (after.State == JobState.JobSucceeded ? unsuccessful.Count > 0 : unsuccessful.Count == 0 || after.Reason.Length == 0)
            {
                context.Fail(Outcome, $"job {after.Spec.Id} ended {after.State} ('{after.Reason}') with tasks {string.Join(", ", tasks.Select(t => $"{t.Spec.Name}={t.State}"))}");
            }
        }

        Readiness(after.Spec.Id, change.At.Time);
    }

    private void Task(ScenarioContext context, StoreChange change)
    {
        var after = TaskObject.Parser.ParseFrom(change.After);
        if (after.State is TaskState.TaskFailed or TaskState.TaskSkipped && after.Reason.Length == 0)
        {
            context.Fail(Reasons, $"{after.Job}/{after.Spec.Name} ended {after.State} without a reason");
        }

        if (after.Spec.Cpus > SchedulerTopology.MaxCpus && unplaceable.TryGetValue(change.Key, out var u) && after.State != TaskState.TaskPending && u.Ended is null)
        {
            unplaceable[change.Key] = (u.Ready, change.At.Time, after.State, after.Reason);
        }

        Readiness(after.Job, change.At.Time);
    }

    /// <summary>Notes which pending tasks of <paramref name="job"/> are ready now (the job exists, every dependency succeeded).</summary>
    private void Readiness(string job, TimeSpan now)
    {
        if (store.Value(StoreKeys.Job(job)) is null)
        {
            return;
        }

        var tasks = store.Under($"{StoreKeys.Tasks}{job}/").ToDictionary(t => TaskObject.Parser.ParseFrom(t.Value).Spec.Name, t => (t.Key, Task: TaskObject.Parser.ParseFrom(t.Value)), StringComparer.Ordinal);
        foreach (var (key, task) in tasks.Values)
        {
            var ready = task.State == TaskState.TaskPending && task.Spec.DependsOn.All(d => tasks[d].Task.State == TaskState.TaskSucceeded);
            if (!ready)
            {
                readyAt.Remove(key);
                continue;
            }

            readyAt.TryAdd(key, now);
            if (task.Spec.Cpus > SchedulerTopology.MaxCpus)
            {
                unplaceable.TryAdd(key, (now, null, TaskState.TaskPending, ""));
            }
        }
    }

    private static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;
}
