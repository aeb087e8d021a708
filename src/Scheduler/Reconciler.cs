using System.Globalization;
using Google.Protobuf;
using Grpc.Core;
using Sim.Stack.Defects;
using Sim.Stack.Host;
using Sim.Stack.Scheduler.Contracts;

namespace Sim.Stack.Scheduler;

/// <summary>
/// The leader's work, one pass every tick while it holds the lease: mark workers healthy or not by their heartbeats,
/// commit reported results (once per task, only the current attempt's), take tasks back from unhealthy workers, place
/// ready tasks on healthy workers within each job's maxParallelism, fail tasks no machine could take within their
/// lifecycle bound, and finish jobs. Every write carries the term's epoch; a version conflict, an unknown outcome or a
/// fenced write ends the pass, and the next one starts from a fresh list of the store.
/// </summary>
public sealed class Reconciler(IHost host, SchedulerOptions options, Store.StoreClient store, ObjectCache cache, LeaderElector elector)
{
    /// <summary>How often a leader lists the store even when its watch seems fine (a watch cut off silently by a partition).</summary>
    public static readonly TimeSpan ResyncEvery = TimeSpan.FromSeconds(1);

    private readonly Dictionary<string, (long Sequence, TimeSpan At)> beats = new(StringComparer.Ordinal);
    private readonly Dictionary<string, TimeSpan> readySince = new(StringComparer.Ordinal);
    private readonly HashSet<string> ignored = new(StringComparer.Ordinal);
    private long term;

    /// <summary>Set by a pass that found its view of the store incomplete: the next pass lists the store first.</summary>
    private bool Stale { get; set; }

    public async Task RunAsync(CancellationToken lifetime)
    {
        TimeSpan? syncedAt = null;
        while (!lifetime.IsCancellationRequested)
        {
            await host.Clock.Delay(options.Tick, lifetime);
            if (!elector.Holds(out var epoch))
            {
                continue;
            }

            try
            {
                if (term != epoch)
                {
                    // A new term: what the last leader observed (heartbeats, waiting tasks) starts over on this clock.
                    term = epoch;
                    beats.Clear();
                    readySince.Clear();
                    syncedAt = null;
                }

                if (syncedAt is not { } synced || host.Clock.Elapsed - synced > ResyncEvery)
                {
                    await cache.ResyncAsync(options.CallTimeout, lifetime);
                    syncedAt = host.Clock.Elapsed;
                }

                await PassAsync(epoch, lifetime);
                if (Stale)
                {
                    Stale = false;
                    syncedAt = null;
                }
            }
            catch (RpcException e)
            {
                if (e.StatusCode == StatusCode.FailedPrecondition && e.Status.Detail.StartsWith("fenced", StringComparison.Ordinal))
                {
                    elector.StepDown(epoch, $"the store fenced epoch {epoch}: {e.Status.Detail}");
                }

                syncedAt = null;
            }
        }
    }

    private async Task PassAsync(long epoch, CancellationToken lifetime)
    {
        await MarkWorkersAsync(epoch, lifetime);
        await CommitReportsAsync(epoch, lifetime);
        await RescheduleAsync(epoch, lifetime);
        foreach (var job in cache.Under(StoreKeys.Jobs).Select(o => (Object: o, Job: JobObject.Parser.ParseFrom(o.Value))).Where(j => j.Job.State == JobState.JobRunning).ToList())
        {
            await AdvanceAsync(job.Object, job.Job, epoch, lifetime);
        }
    }

    private async Task MarkWorkersAsync(long epoch, CancellationToken lifetime)
    {
        var now = host.Clock.Elapsed;
        foreach (var beat in cache.Under(StoreKeys.Workers).Select(o => WorkerBeat.Parser.ParseFrom(o.Value)).ToList())
        {
            if (!beats.TryGetValue(beat.Worker, out var seen) || seen.Sequence != beat.Sequence)
            {
                beats[beat.Worker] = seen = (beat.Sequence, now);
            }

            var healthy = now - seen.At < options.UnhealthyAfter;
            var held = cache.Find(StoreKeys.HealthOf(beat.Worker));
            if (held is not null && WorkerHealth.Parser.ParseFrom(held.Value).Healthy == healthy)
            {
                continue;
            }

            var reason = healthy ? "heartbeating" : $"no heartbeat for {Seconds(now - seen.At)}";
            await WriteAsync(StoreKeys.HealthOf(beat.Worker), new WorkerHealth { Worker = beat.Worker, Healthy = healthy, Reason = reason }, held?.Version ?? 0, epoch, lifetime);
            host.Log.Event(new WorkerMarked(beat.Worker, healthy, reason));
        }
    }

    private async Task CommitReportsAsync(long epoch, CancellationToken lifetime)
    {
        foreach (var held in cache.Under(StoreKeys.Reports).ToList())
        {
            var report = TaskReport.Parser.ParseFrom(held.Value);
            if (cache.Find(StoreKeys.Task(report.Job, report.Task)) is not { } taskObject)
            {
                continue;
            }

            var task = TaskObject.Parser.ParseFrom(taskObject.Value);
            var already = task.CommittedAttempt == report.Attempt;
            var commit = options.Defects.IsOn(DefectCatalogue.RescheduleDoubleCommit)
                ? !already && task.State != TaskState.TaskSkipped && task.Attempt >= report.Attempt // The defect: any attempt not committed yet.
                : task.State == TaskState.TaskRunning && task.Attempt == report.Attempt;
            if (!commit)
            {
                if (!already && ignored.Add(held.Key))
                {
                    host.Log.Event(new StaleReportIgnored(report.Job, report.Task, report.Attempt, task.Attempt));
                }

                continue;
            }

            var committed = new TaskObject(task)
            {
                State = report.Succeeded ? TaskState.TaskSucceeded : TaskState.TaskFailed,
                CommittedAttempt = report.Attempt,
                Reason = report.Succeeded ? "" : $"attempt {report.Attempt} exited non-zero on {report.Worker}",
            };
            await WriteAsync(taskObject.Key, committed, taskObject.Version, epoch, lifetime);
            host.Log.Event(new TaskCommitted(report.Job, report.Task, report.Attempt, report.Succeeded, epoch));
        }
    }

    private async Task RescheduleAsync(long epoch, CancellationToken lifetime)
    {
        foreach (var held in cache.Under(StoreKeys.Tasks).ToList())
        {
            var task = TaskObject.Parser.ParseFrom(held.Value);
            if (task.State != TaskState.TaskRunning || Healthy(task.Worker))
            {
                continue;
            }

            var back = new TaskObject(task) { State = TaskState.TaskPending, Worker = "", Reason = $"worker {task.Worker} unhealthy: rescheduled" };
            await WriteAsync(held.Key, back, held.Version, epoch, lifetime);
            host.Log.Event(new TaskRescheduled(task.Job, task.Spec.Name, task.Attempt, task.Worker));
        }
    }

    /// <summary>One running job: skip what cannot run, fail or finish it, or place its ready tasks.</summary>
    private async Task AdvanceAsync(StoredObject jobObject, JobObject job, long epoch, CancellationToken lifetime)
    {
        var tasks = TasksOf(job.Spec.Id);
        if (job.Spec.Tasks.Any(t => !tasks.ContainsKey(t.Name)))
        {
            // The view lags the store (a submit found its tasks written by an earlier try, a watch is catching up): the
            // tasks are there, since a job is written after its tasks; look again after the next list.
            Stale = true;
            host.Log.Event(new ViewStale(job.Spec.Id));
            return;
        }

        foreach (var (held, task) in tasks.Values.Where(t => t.Task.State == TaskState.TaskPending).ToList())
        {
            if (task.Spec.DependsOn.Select(d => tasks[d].Task).FirstOrDefault(d => d.State is TaskState.TaskFailed or TaskState.TaskSkipped) is { } broken)
            {
                await GiveUpAsync(held, task, TaskState.TaskSkipped, $"dependency {broken.Spec.Name} {Name(broken.State)}", epoch, lifetime);
            }
        }

        tasks = TasksOf(job.Spec.Id);
        var critical = tasks.Values.Select(t => t.Task).FirstOrDefault(t => t.State == TaskState.TaskFailed && t.Spec.Critical);
        if (job.Spec.Strict && critical is not null)
        {
            foreach (var (held, task) in tasks.Values.Where(t => t.Task.State == TaskState.TaskPending).ToList())
            {
                await GiveUpAsync(held, task, TaskState.TaskSkipped, $"job failed: critical task {critical.Spec.Name} failed", epoch, lifetime);
            }

            await FinishAsync(jobObject, job, JobState.JobFailed, $"critical task {critical.Spec.Name} failed: {critical.Reason}", epoch, lifetime);
            return;
        }

        if (tasks.Values.All(t => t.Task.State is TaskState.TaskSucceeded or TaskState.TaskFailed or TaskState.TaskSkipped))
        {
            var failed = tasks.Values.Select(t => t.Task).Where(t => t.State != TaskState.TaskSucceeded).OrderBy(t => t.Spec.Name, StringComparer.Ordinal).FirstOrDefault();
            await FinishAsync(jobObject, job, failed is null ? JobState.JobSucceeded : JobState.JobFailed, failed is null ? "" : $"task {failed.Spec.Name} {Name(failed.State)}: {failed.Reason}", epoch, lifetime);
            return;
        }

        await PlaceAsync(job, tasks, epoch, lifetime);
    }

    private async Task PlaceAsync(JobObject job, SortedDictionary<string, (StoredObject Held, TaskObject Task)> tasks, long epoch, CancellationToken lifetime)
    {
        var running = tasks.Values.Count(t => t.Task.State == TaskState.TaskRunning);
        var ready = tasks.Values.Where(t => t.Task.State == TaskState.TaskPending && t.Task.Spec.DependsOn.All(d => tasks[d].Task.State == TaskState.TaskSucceeded)).ToList();
        foreach (var (held, task) in ready)
        {
            if (running >= job.Spec.MaxParallelism)
            {
                return;
            }

            var now = host.Clock.Elapsed;
            if (PickWorker(task.Spec.Cpus) is { } worker)
            {
                var placed = new TaskObject(task) { State = TaskState.TaskRunning, Attempt = task.Attempt + 1, Worker = worker, Reason = "" };
                await WriteAsync(held.Key, placed, held.Version, epoch, lifetime);
                host.Log.Event(new TaskPlaced(task.Job, task.Spec.Name, placed.Attempt, worker, epoch));
                readySince.Remove(held.Key);
                running++;
                continue;
            }

            var since = readySince.TryGetValue(held.Key, out var first) ? first : readySince[held.Key] = now;
            if (now - since >= options.LifecycleBound)
            {
                await GiveUpAsync(held, task, TaskState.TaskFailed, $"no healthy machine with {task.Spec.Cpus} free CPUs for {Seconds(options.LifecycleBound)}", epoch, lifetime);
            }
        }
    }

    /// <summary>The healthy worker with the most free CPUs (then by name) that has <paramref name="cpus"/> free, or null.</summary>
    private string? PickWorker(int cpus)
    {
        var used = cache.Under(StoreKeys.Tasks).Select(o => TaskObject.Parser.ParseFrom(o.Value)).Where(t => t.State == TaskState.TaskRunning)
            .GroupBy(t => t.Worker, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Sum(t => t.Spec.Cpus), StringComparer.Ordinal);
        return cache.Under(StoreKeys.Workers).Select(o => WorkerBeat.Parser.ParseFrom(o.Value))
            .Where(b => Healthy(b.Worker))
            .Select(b => (b.Worker, Free: b.Cpus - used.GetValueOrDefault(b.Worker)))
            .Where(w => w.Free >= cpus)
            .OrderByDescending(w => w.Free).ThenBy(w => w.Worker, StringComparer.Ordinal)
            .Select(w => w.Worker).FirstOrDefault();
    }

    private bool Healthy(string worker) =>
        cache.Find(StoreKeys.HealthOf(worker)) is { } held && WorkerHealth.Parser.ParseFrom(held.Value).Healthy;

    private SortedDictionary<string, (StoredObject Held, TaskObject Task)> TasksOf(string job)
    {
        var tasks = new SortedDictionary<string, (StoredObject, TaskObject)>(StringComparer.Ordinal);
        foreach (var held in cache.Under(StoreKeys.Tasks + job + "/"))
        {
            var task = TaskObject.Parser.ParseFrom(held.Value);
            tasks[task.Spec.Name] = (held, task);
        }

        return tasks;
    }

    private async Task GiveUpAsync(StoredObject held, TaskObject task, TaskState state, string reason, long epoch, CancellationToken lifetime)
    {
        await WriteAsync(held.Key, new TaskObject(task) { State = state, Reason = reason }, held.Version, epoch, lifetime);
        readySince.Remove(held.Key);
        host.Log.Event(new TaskGivenUp(task.Job, task.Spec.Name, state, reason));
    }

    private async Task FinishAsync(StoredObject held, JobObject job, JobState state, string reason, long epoch, CancellationToken lifetime)
    {
        await WriteAsync(held.Key, new JobObject(job) { State = state, Reason = reason }, held.Version, epoch, lifetime);
        host.Log.Event(new JobFinished(job.Spec.Id, state, reason));
    }

    /// <summary>One fenced write; the cache takes it at once so the rest of the pass sees it.</summary>
    private async Task WriteAsync(string key, IMessage value, long expected, long epoch, CancellationToken lifetime)
    {
        var bytes = value.ToByteString();
        var reply = await store.PutAsync(new PutRequest { Key = key, Value = bytes, ExpectedVersion = expected, Epoch = epoch, Holder = host.Name }, deadline: host.Clock.UtcNow + options.CallTimeout, cancellationToken: lifetime);
        cache.Take(new StoredObject { Key = key, Value = bytes, Version = reply.Version, Found = true });
    }

    private static string Name(TaskState state) => state switch
    {
        TaskState.TaskFailed => "failed",
        TaskState.TaskSkipped => "was skipped",
        TaskState.TaskSucceeded => "succeeded",
        TaskState.TaskRunning => "is running",
        _ => "is pending",
    };

    private static string Seconds(TimeSpan t) => $"{t.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture)}s";
}
