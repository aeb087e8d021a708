using Sim.Stack.Scheduler;
using Sim.Stack.Scheduler.Contracts;

namespace Sim.Scenarios.SchedulerFailover;

/// <summary>
/// Tasks, judged on the store model's state at the moment of each write. Uniqueness: a task's result is committed
/// exactly once (a second commit, of another attempt or the same, is a violation), and every placement takes the next
/// attempt number. Eligibility: a task is placed only once its dependencies succeeded, on a worker marked healthy at
/// that moment, within the worker's CPUs and the job's maxParallelism; the result committed is the one the worker of
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

    private readonly StoreModel store;
    private readonly Dictionary<string, List<int>> commits = new(StringComparer.Ordinal);

    public TaskChecker(ScenarioContext context, StoreModel store, TimeSpan lifecycleBound, Func<string, TimeSpan?> readyAt)
    {
        this.store = store;
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

        var cpus = store.Value(StoreKeys.Beat(after.Worker)) is { } b ? WorkerBeat.Parser.ParseFrom(b).Cpus : 0;
        var used = store.Under(StoreKeys.Tasks).Select(t => TaskObject.Parser.ParseFrom(t.Value)).Where(t => t.State == TaskState.TaskRunning && t.Worker == after.Worker).Sum(t => t.Spec.Cpus);
        return used > cpus ? (Capacity, $"{name} placed on {after.Worker}: its running tasks use {used} CPUs of {cpus}") : null;
    }
}
