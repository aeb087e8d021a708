using Sim.Stack.Scheduler;
using Sim.Stack.Scheduler.Contracts;

namespace Sim.Scenarios.SchedulerFailover;

/// <summary>
/// Tasks, judged on the store model's state at the moment of each write. Uniqueness: a task's result is committed
/// exactly once (a second commit, of another attempt or the same, is a violation), and every placement takes the next
/// attempt number. Eligibility: a task is placed only once its dependencies succeeded, on a worker marked healthy at
/// that moment, within the worker's CPUs and the job's maxParallelism, on the healthy worker with the most free CPUs
/// (then by name: the scheduler's spread policy); the result committed is the one the worker of
/// that very attempt reported; a task fails as unschedulable only after it waited its whole lifecycle bound.
/// </summary>
public sealed class TaskChecker
{
    public const string CommittedOnce = "task-result-committed-once";
    public const string Attempts = "attempts-grow-by-one";
    public const string Dependencies = "placed-after-dependencies-succeeded";
    public const string HealthyMachine = "placed-on-a-healthy-machine";
    public const string Parallelism = "max-parallelism-respected";
    public const string Capacity = "placed-within-worker-cpus";
    public const string Reported = "committed-result-was-reported";
    public const string NotBeforeBound = "unschedulable-only-after-the-bound";
    public const string Freest = "placed-on-the-freest-machine";

    private readonly StoreModel store;
    private readonly Dictionary<string, List<int>> commits = new(StringComparer.Ordinal);

    /// <summary>Placements whose writer heard the store's acknowledgement (job, task, attempt).</summary>
    private readonly HashSet<(string Job, string Task, int Attempt)> acknowledged = [];

    public TaskChecker(ScenarioContext context, StoreModel store, TimeSpan lifecycleBound, Func<string, TimeSpan?> readyAt)
    {
        this.store = store;
        context.On<TaskPlaced>((e, _) => acknowledged.Add((e.Job, e.Task, e.Attempt)));
        store.OnChange(change =>
        {
            if (!change.Key.StartsWith(StoreKeys.Tasks, StringComparison.Ordinal))
            {
                return;
            }

            var before = change.Before is null ? null : TaskObject.Parser.ParseFrom(change.Before);
            var after = TaskObject.Parser.ParseFrom(change.After);
            if (Check(change, before, after, lifecycleBound, readyAt) is { } violation)
            {
                context.Fail(violation.Invariant, violation.Message);
            }
        });
    }

    /// <summary>How many tasks had a result committed.</summary>
    public int Committed => commits.Count;

    private (string Invariant, string Message)? Check(StoreChange change, TaskObject? before, TaskObject after, TimeSpan bound, Func<string, TimeSpan?> readyAt)
    {
        var name = $"{after.Job}/{after.Spec.Name}";
        if (after.CommittedAttempt != 0 && before?.CommittedAttempt != after.CommittedAttempt)
        {
            var seen = commits.TryGetValue(name, out var list) ? list : commits[name] = [];
            seen.Add(after.CommittedAttempt);
            if (seen.Count > 1)
            {
                return (CommittedOnce, $"{name} committed {seen.Count} times: attempts {string.Join(", ", seen)} (the last by {change.Writer} at epoch {change.Epoch})");
            }

            var report = store.Under(StoreKeys.Reports).Select(r => TaskReport.Parser.ParseFrom(r.Value))
                .FirstOrDefault(r => r.Job == after.Job && r.Task == after.Spec.Name && r.Attempt == after.CommittedAttempt);
            var succeeded = after.State == TaskState.TaskSucceeded;
            if (report is null || report.Succeeded != succeeded)
            {
                return (Reported, $"{name} committed attempt {after.CommittedAttempt} as {after.State}, but its worker reported {(report is null ? "nothing" : report.Succeeded ? "success" : "failure")}");
            }
        }

        if (after.State == TaskState.TaskRunning && before?.State != TaskState.TaskRunning)
        {
            return Placement(name, before, after);
        }

        if (after.State == TaskState.TaskFailed && after.CommittedAttempt == 0 && before?.State != TaskState.TaskFailed
            && readyAt(change.Key) is { } ready && change.At.Time - ready < bound)
        {
            return (NotBeforeBound, $"{name} failed as unschedulable {(change.At.Time - ready).TotalSeconds:F3}s after it became ready, before its lifecycle bound of {bound.TotalSeconds}s: {after.Reason}");
        }

        return null;
    }

    private (string Invariant, string Message)? Placement(string name, TaskObject? before, TaskObject after)
    {
        if (after.Attempt != (before?.Attempt ?? 0) + 1)
        {
            return (Attempts, $"{name} placed as attempt {after.Attempt} after attempt {before?.Attempt ?? 0}");
        }

        var siblings = store.Under($"{StoreKeys.Tasks}{after.Job}/").Select(t => TaskObject.Parser.ParseFrom(t.Value)).ToDictionary(t => t.Spec.Name, StringComparer.Ordinal);
        if (after.Spec.DependsOn.FirstOrDefault(d => siblings[d].State != TaskState.TaskSucceeded) is { } waiting)
        {
            return (Dependencies, $"{name} placed on {after.Worker} while its dependency {waiting} was {siblings[waiting].State}");
        }

        var health = store.Value(StoreKeys.HealthOf(after.Worker)) is { } h ? WorkerHealth.Parser.ParseFrom(h) : null;
        if (health is not { Healthy: true })
        {
            return (HealthyMachine, $"{name} placed on {after.Worker}, marked {(health is null ? "nothing yet" : "unhealthy: " + health.Reason)}");
        }

        var spec = store.Value(StoreKeys.Job(after.Job)) is { } j ? JobObject.Parser.ParseFrom(j).Spec : null;
        var running = siblings.Values.Count(t => t.State == TaskState.TaskRunning);
        if (spec is not null && running > spec.MaxParallelism)
        {
            return (Parallelism, $"{name} placed on {after.Worker}: {running} tasks of job {after.Job} run, its maxParallelism is {spec.MaxParallelism}");
        }

        var free = Free();
        if (!free.TryGetValue(after.Worker, out var left))
        {
            return (Capacity, $"{name} placed on {after.Worker}, which never sent a heartbeat with its CPUs");
        }

        var cpus = WorkerBeat.Parser.ParseFrom(store.Value(StoreKeys.Beat(after.Worker))).Cpus;
        var used = cpus - left;
        if (used > cpus)
        {
            return (Capacity, $"{name} placed on {after.Worker}: its running tasks use {used} CPUs of {cpus}");
        }

        // The documented policy (spread): the healthy worker with the most free CPUs before this placement, then by name.
        // The leader may not know of its own placements whose acknowledgement it never got (a call that timed out and
        // landed later): the pick must be the best with them or without them.
        free[after.Worker] += after.Spec.Cpus;
        var best = Best(free, after.Spec.Cpus);
        return best == after.Worker || Best(Free(t => acknowledged.Contains((t.Job, t.Spec.Name, t.Attempt))), after.Spec.Cpus) == after.Worker ? null
            : (Freest, $"{name} ({after.Spec.Cpus} CPUs) placed on {after.Worker} with {free[after.Worker]} free; {best} had {free[best]} free (free CPUs of healthy workers: {string.Join(", ", free.OrderBy(w => w.Key, StringComparer.Ordinal).Select(w => $"{w.Key} {w.Value}"))})");
    }

    private static string Best(Dictionary<string, int> free, int cpus) =>
        free.Where(w => w.Value >= cpus).OrderByDescending(w => w.Value).ThenBy(w => w.Key, StringComparer.Ordinal).First().Key;

    /// <summary>Each healthy worker's free CPUs on the model's state: its heartbeat's CPUs less its running tasks' (those <paramref name="counted"/> takes).</summary>
    private Dictionary<string, int> Free(Func<TaskObject, bool>? counted = null)
    {
        var used = store.Under(StoreKeys.Tasks).Select(t => TaskObject.Parser.ParseFrom(t.Value)).Where(t => t.State == TaskState.TaskRunning && (counted?.Invoke(t) ?? true))
            .GroupBy(t => t.Worker, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Sum(t => t.Spec.Cpus), StringComparer.Ordinal);
        return store.Under(StoreKeys.Workers).Select(w => WorkerBeat.Parser.ParseFrom(w.Value))
            .Where(w => store.Value(StoreKeys.HealthOf(w.Worker)) is { } h && WorkerHealth.Parser.ParseFrom(h).Healthy)
            .ToDictionary(w => w.Worker, w => w.Cpus - used.GetValueOrDefault(w.Worker), StringComparer.Ordinal);
    }
}
