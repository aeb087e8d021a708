using Google.Protobuf;
using Grpc.Core;
using Sim.Stack.Host;
using Sim.Stack.Rpc;
using Sim.Stack.Scheduler.Contracts;

namespace Sim.Stack.Scheduler;

/// <summary>
/// The agent on a worker machine (Kuscia's agent on a node): it heartbeats to the store, watches the tasks placed on
/// its machine and runs each attempt (the program's run time is the task's duration), then writes a report of the
/// attempt under its own key. Reports are keyed by task and attempt, so writing one again is harmless; deciding which
/// attempt's result counts is the leader's job. A restarted agent runs again the attempts still placed on it.
/// </summary>
public sealed class WorkerAgent
{
    private readonly IHost host;
    private readonly SchedulerOptions options;
    private readonly int cpus;
    private readonly Store.StoreClient store;
    private readonly HashSet<(string Job, string Task, int Attempt)> started = [];
    private long sequence;

    private WorkerAgent(IHost host, SchedulerOptions options, SchedulerEndpoints endpoints, int cpus)
    {
        this.host = host;
        this.options = options;
        this.cpus = cpus;
        store = endpoints.StoreClient(host);
    }

    /// <summary>The attempts this incarnation has started.</summary>
    public IReadOnlyCollection<(string Job, string Task, int Attempt)> Started => started;

    public static WorkerAgent Start(IHost host, SchedulerOptions options, SchedulerEndpoints endpoints, int cpus)
    {
        var agent = new WorkerAgent(host, options, endpoints, cpus);
        var tasks = new ObjectCache(host, agent.store, StoreKeys.Tasks, options.RetryPeriod) { Changed = agent.OnTask };
        host.Spawn("worker-heartbeat", agent.HeartbeatAsync);
        host.Spawn("worker-watch", tasks.WatchAsync);
        return agent;
    }

    private async Task HeartbeatAsync(CancellationToken lifetime)
    {
        while (!lifetime.IsCancellationRequested)
        {
            var beat = new WorkerBeat { Worker = host.Name, Cpus = cpus, Sequence = ++sequence };
            await PutAsync(StoreKeys.Beat(host.Name), beat.ToByteString(), -1, lifetime);
            await host.Clock.Delay(options.HeartbeatInterval, lifetime);
        }
    }

    private void OnTask(StoredObject held)
    {
        var task = TaskObject.Parser.ParseFrom(held.Value);
        if (task.State == TaskState.TaskRunning && string.Equals(task.Worker, host.Name, StringComparison.Ordinal) && started.Add((task.Job, task.Spec.Name, task.Attempt)))
        {
            host.Spawn($"attempt {task.Job}/{task.Spec.Name}#{task.Attempt}", lifetime => RunAsync(task, lifetime));
        }
    }

    private async Task RunAsync(TaskObject task, CancellationToken lifetime)
    {
        host.Log.Event(new AttemptStarted(task.Job, task.Spec.Name, task.Attempt));
        await host.Clock.Delay(TimeSpan.FromMilliseconds(task.Spec.DurationMs), lifetime);
        var report = new TaskReport { Job = task.Job, Task = task.Spec.Name, Attempt = task.Attempt, Succeeded = !task.Spec.Fails, Worker = host.Name };
        var key = StoreKeys.Report(host.Name, task.Job, task.Spec.Name, task.Attempt);
        while (!await PutAsync(key, report.ToByteString(), 0, lifetime))
        {
            await host.Clock.Delay(options.RetryPeriod, lifetime);
        }

        host.Log.Event(new AttemptReported(task.Job, task.Spec.Name, task.Attempt, report.Succeeded));
    }

    /// <summary>One write of the agent's own keys; true once it is in the store (a create that finds it there counts).</summary>
    private async Task<bool> PutAsync(string key, ByteString value, long expected, CancellationToken lifetime)
    {
        try
        {
            await store.PutAsync(new PutRequest { Key = key, Value = value, ExpectedVersion = expected, Holder = host.Name }, deadline: host.Clock.UtcNow + options.CallTimeout, cancellationToken: lifetime);
            return true;
        }
        catch (RpcException e)
        {
            return e.StatusCode == StatusCode.Aborted;
        }
    }
}
