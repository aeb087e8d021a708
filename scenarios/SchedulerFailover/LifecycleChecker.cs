using System.Globalization;
using System.Text.RegularExpressions;
using Sim.Stack.Scheduler;
using Sim.Stack.Scheduler.Contracts;
using Sim.Worlds;

namespace Sim.Scenarios.SchedulerFailover;

/// <summary>
/// Model-based: every write of a task, a worker's health or a job's end against the lifecycle the scheduler documents,
/// judged on the store model at the moment of the write. A task is created pending; it moves pending → running
/// (placed, no reason), running → pending (rescheduled: "worker W unhealthy: rescheduled", its worker marked unhealthy,
/// the attempt kept), running → succeeded (no reason) or failed ("attempt N exited non-zero on W"), pending → skipped
/// ("dependency D failed" or "was skipped", or "job failed: critical task C failed") or failed as unschedulable ("no
/// healthy machine with N free CPUs for Bs"); every other write of a task (a state kept, an end left) is wrong. A health
/// write flips the worker's health and says why: "heartbeating", or "no heartbeat for Ts" with T at least the unhealthy
/// mark and no longer than the run. A job ends with the reason its tasks give: none when it succeeded, the strict job's
/// first failed critical task ("critical task C failed: its reason"), or the first task by name that did not succeed
/// ("task T failed: its reason" or "task T was skipped: its reason"). A worker reports only attempts placed on it; a
/// result is committed no sooner than the task's run time after its placement, succeeded exactly when its program does
/// not fail; a worker counts its heartbeats from 1 and writes them at most three times their interval's pace.
/// </summary>
public sealed class LifecycleChecker
{
    public const string Invariant = "writes-follow-the-lifecycle";

    /// <summary>The most heartbeats a worker may write in a second: three times its interval's pace.</summary>
    public static int BeatsPerSecond(SchedulerOptions options) => (int)(3 / options.HeartbeatInterval.TotalSeconds);

    private readonly Dictionary<(string Job, string Task, int Attempt), (string Worker, TimeSpan At)> placements = [];
    private readonly Dictionary<string, TrailingWindow> beats = new(StringComparer.Ordinal);

    /// <summary>The store's process name (its machine is <c>m-store</c>).</summary>
    private const string Store = "store";

    private readonly FaultHistory faults;

    public LifecycleChecker(ScenarioContext context, StoreModel store, SchedulerOptions options, FaultHistory faults)
    {
        this.faults = faults;
        store.OnChange(change =>
        {
            var wrong = change.Key.StartsWith(StoreKeys.Tasks, StringComparison.Ordinal) ? Task(store, change, options)
                : change.Key.StartsWith(StoreKeys.Health, StringComparison.Ordinal) ? Health(change, options)
                : change.Key.StartsWith(StoreKeys.Jobs, StringComparison.Ordinal) ? Job(store, change)
                : change.Key.StartsWith(StoreKeys.Reports, StringComparison.Ordinal) ? Report(change)
                : change.Key.StartsWith(StoreKeys.Workers, StringComparison.Ordinal) ? Beat(change, options)
                : null;
            // A write the store recovered from its disk without the model seeing it acknowledged has no known writer or moment: kept, not judged.
            if (wrong is not null && change.Writer != StoreModel.RecoveredWriter)
            {
                context.Fail(Invariant, $"{change.Writer} wrote {change.Key} at epoch {change.Epoch}: {wrong}");
            }
        });
    }

    /// <summary>
    /// A worker's report: for an attempt placed on that very worker, no sooner than the task's run time after the
    /// placement, with the outcome its program gives (it exits non-zero exactly when the spec says it fails).
    /// </summary>
    private string? Report(StoreChange change)
    {
        var report = TaskReport.Parser.ParseFrom(change.After);
        var what = $"{report.Worker}'s report of {report.Job}/{report.Task} attempt {report.Attempt} ({(report.Succeeded ? "success" : "failure")})";
        return report.Worker != change.Writer ? $"{what} names another worker than its writer"
            : !placements.TryGetValue((report.Job, report.Task, report.Attempt), out var placed) || placed.Worker != report.Worker
                ? $"{what}: that attempt was placed on {(placed.Worker is null ? "no worker" : placed.Worker)}"
            : null;
    }

    private string? Beat(StoreChange change, SchedulerOptions options)
    {
        var beat = WorkerBeat.Parser.ParseFrom(change.After);
        var previous = change.Before is null ? 0 : WorkerBeat.Parser.ParseFrom(change.Before).Sequence;
        var recent = (beats.TryGetValue(beat.Worker, out var w) ? w : beats[beat.Worker] = new TrailingWindow(TimeSpan.FromSeconds(1))).Add(change.At.Time);

        // A worker counts its heartbeats from 1 in each incarnation; a dead incarnation's beats may land late (delayed
        // frames), interleaved with the new one's, so the count is not monotonic in the store, only positive. The pace is
        // counted where the beats land: a fault on the worker, the store or the link between them in the last two seconds
        // (a stalled disk, a paused store, delayed frames) may have held beats sent at their pace and let them land at once.
        var held = faults.Striking(change.At.Time - TimeSpan.FromSeconds(2), change.At.Time,
            f => f is not FaultAction.Skew && FaultHistory.Touches(f, [beat.Worker, Store], [$"m-{beat.Worker}", $"m-{Store}"])).Any();
        return beat.Sequence < 1 ? $"{beat.Worker}'s heartbeat {beat.Sequence} after {previous}: a worker counts its heartbeats from 1"
            : recent > BeatsPerSecond(options) && !held ? $"{beat.Worker} wrote {recent} heartbeats within a second, untouched by faults; it beats every {options.HeartbeatInterval.TotalSeconds:0.###}s"
            : null;
    }

    private string? Task(StoreModel store, StoreChange change, SchedulerOptions options)
    {
        var before = change.Before is null ? null : TaskObject.Parser.ParseFrom(change.Before);
        var after = TaskObject.Parser.ParseFrom(change.After);
        if (after.State == TaskState.TaskRunning && before?.State != TaskState.TaskRunning)
        {
            placements[(after.Job, after.Spec.Name, after.Attempt)] = (after.Worker, change.At.Time);
        }

        if (after.CommittedAttempt != 0 && before?.CommittedAttempt != after.CommittedAttempt
            && placements.TryGetValue((after.Job, after.Spec.Name, after.CommittedAttempt), out var ran) && change.At.Time - ran.At < TimeSpan.FromMilliseconds(after.Spec.DurationMs))
        {
            return $"{after.Job}/{after.Spec.Name} attempt {after.CommittedAttempt} committed {(change.At.Time - ran.At).TotalSeconds:F3}s after its placement; its program runs {after.Spec.DurationMs} ms";
        }

        if (after.CommittedAttempt != 0 && before?.CommittedAttempt != after.CommittedAttempt && (after.State == TaskState.TaskSucceeded) == after.Spec.Fails)
        {
            return $"{after.Job}/{after.Spec.Name} attempt {after.CommittedAttempt} committed {after.State}; its program {(after.Spec.Fails ? "exits non-zero" : "succeeds")}";
        }

        var shown = $"{before?.State.ToString() ?? "(new)"} -> {after.State} '{after.Reason}' on '{after.Worker}' attempt {after.Attempt}";
        string? Expect(string reason) => after.Reason == reason ? null : $"{shown}; the reason must be '{reason}'";
        return (before?.State, after.State) switch
        {
            (null, TaskState.TaskPending) => after.Attempt == 0 && after.Worker.Length == 0 && after.Reason.Length == 0 ? null : $"{shown}; a new task has no attempt, worker or reason",
            (TaskState.TaskPending, TaskState.TaskRunning) => after.Worker.Length > 0 ? Expect("") : $"{shown}; a placed task names its worker",
            (TaskState.TaskRunning, TaskState.TaskPending) => after.Attempt != before!.Attempt || after.Worker.Length > 0 ? $"{shown}; a rescheduled task keeps its attempt and leaves its worker"
                : store.Value(StoreKeys.HealthOf(before.Worker)) is { } h && WorkerHealth.Parser.ParseFrom(h).Healthy ? $"{shown}; {before.Worker} is marked healthy"
                : Expect($"worker {before.Worker} unhealthy: rescheduled"),
            (TaskState.TaskRunning, TaskState.TaskSucceeded) => Expect(""),
            (TaskState.TaskRunning, TaskState.TaskFailed) => Expect($"attempt {after.CommittedAttempt} exited non-zero on {before!.Worker}"),
            (TaskState.TaskPending, TaskState.TaskSkipped) => Skipped(store, after) is var reasons && reasons.Contains(after.Reason, StringComparer.Ordinal) ? null
                : $"{shown}; the reason must be one of: {string.Join(" | ", reasons.Select(r => $"'{r}'"))}",
            (TaskState.TaskPending, TaskState.TaskFailed) => Expect($"no healthy machine with {after.Spec.Cpus} free CPUs for {Seconds(options.LifecycleBound)}"),
            _ => $"{shown}: not a step of a task's lifecycle",
        };
    }

    /// <summary>Why a pending task may be skipped now: a dependency failed or was skipped, or its strict job failed on a critical task.</summary>
    private static List<string> Skipped(StoreModel store, TaskObject task)
    {
        var siblings = store.Under($"{StoreKeys.Tasks}{task.Job}/").Select(t => TaskObject.Parser.ParseFrom(t.Value)).ToDictionary(t => t.Spec.Name, StringComparer.Ordinal);
        var reasons = task.Spec.DependsOn.Where(siblings.ContainsKey).Select(d => siblings[d])
            .Where(d => d.State is TaskState.TaskFailed or TaskState.TaskSkipped)
            .Select(d => $"dependency {d.Spec.Name} {(d.State == TaskState.TaskFailed ? "failed" : "was skipped")}").ToList();
        reasons.AddRange(siblings.Values.Where(t => t.State == TaskState.TaskFailed && t.Spec.Critical).Select(t => $"job failed: critical task {t.Spec.Name} failed"));
        return reasons;
    }

    private static string? Health(StoreChange change, SchedulerOptions options)
    {
        var before = change.Before is null ? null : WorkerHealth.Parser.ParseFrom(change.Before);
        var after = WorkerHealth.Parser.ParseFrom(change.After);
        if (before is not null && before.Healthy == after.Healthy)
        {
            return $"{after.Worker} marked {(after.Healthy ? "healthy" : "unhealthy")} again ('{after.Reason}'): a health write flips it";
        }

        if (after.Healthy)
        {
            return after.Reason == "heartbeating" ? null : $"{after.Worker} marked healthy with '{after.Reason}'; the reason must be 'heartbeating'";
        }

        var silence = Regex.Match(after.Reason, "^no heartbeat for ([0-9]+(?:\\.[0-9]+)?)s$");
        var seconds = silence.Success ? double.Parse(silence.Groups[1].Value, CultureInfo.InvariantCulture) : -1;
        return seconds >= options.UnhealthyAfter.TotalSeconds && seconds <= change.At.Time.TotalSeconds + 0.001 ? null
            : $"{after.Worker} marked unhealthy with '{after.Reason}'; the reason must be 'no heartbeat for Ts', T between the unhealthy mark ({Seconds(options.UnhealthyAfter)}) and the run's age ({Seconds(change.At.Time)})";
    }

    private static string? Job(StoreModel store, StoreChange change)
    {
        var after = JobObject.Parser.ParseFrom(change.After);
        if (after.State == JobState.JobRunning)
        {
            return null;
        }

        var tasks = store.Under($"{StoreKeys.Tasks}{after.Spec.Id}/").Select(t => TaskObject.Parser.ParseFrom(t.Value)).OrderBy(t => t.Spec.Name, StringComparer.Ordinal).ToList();
        var critical = tasks.FirstOrDefault(t => t.State == TaskState.TaskFailed && t.Spec.Critical);
        var first = tasks.FirstOrDefault(t => t.State != TaskState.TaskSucceeded);
        var allowed = new List<string>();
        if (after.Spec.Strict && critical is not null)
        {
            allowed.Add($"critical task {critical.Spec.Name} failed: {critical.Reason}");
        }

        if (tasks.All(t => t.State is TaskState.TaskSucceeded or TaskState.TaskFailed or TaskState.TaskSkipped))
        {
            allowed.Add(first is null ? "" : $"task {first.Spec.Name} {(first.State == TaskState.TaskFailed ? "failed" : "was skipped")}: {first.Reason}");
        }

        return allowed.Contains(after.Reason, StringComparer.Ordinal) ? null
            : $"job {after.Spec.Id} ended {after.State} with '{after.Reason}'; its tasks allow {(allowed.Count == 0 ? "no end yet" : string.Join(" | ", allowed.Select(r => $"'{r}'")))}";
    }

    private static string Seconds(TimeSpan t) => $"{t.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture)}s";
}
