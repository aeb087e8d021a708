using Grpc.Core;
using Sim.Stack.Futures.Contracts;
using Sim.Stack.Host;
using Sim.Stack.Rpc;

namespace Sim.Stack.Futures;

/// <summary>How the scheduler runs.</summary>
/// <param name="ListenAddress">The address to bind.</param>
/// <param name="Port">The port to bind.</param>
/// <param name="Tls">The TLS server settings.</param>
public sealed record SchedulerOptions(string ListenAddress, int Port, TlsServerOptions? Tls);

/// <summary>Where a task stands on the scheduler.</summary>
public enum TaskState
{
    Processing,
    Memory,
    Erred,
}

/// <summary>
/// A Dask-style scheduler: client sessions (one report stream each), task state per key, computations
/// run on its workers for the task's duration, results and errors reported to the owning client,
/// cancellation with a reason, and a restart that forgets everything and tells every connected client.
/// A client's keys are released when its session ends. State lives in memory: a crash forgets it.
/// </summary>
public sealed class Scheduler
{
    private readonly IHost host;
    private readonly Dictionary<string, Session> sessions = new(StringComparer.Ordinal);
    private readonly Dictionary<string, SchedulerTask> tasks = new(StringComparer.Ordinal);

    private Scheduler(IHost host) => this.host = host;

    /// <summary>Tasks by key (for the scenario's account).</summary>
    public IReadOnlyDictionary<string, SchedulerTask> Tasks => tasks;

    public int Sessions => sessions.Count;

    public int Restarts { get; private set; }

    public static Scheduler Start(IHost host, SchedulerOptions options)
    {
        var scheduler = new Scheduler(host);
        var server = new RpcServer(host, options.ListenAddress, options.Port, options.Tls);
        server.AddService(Contracts.Scheduler.BindService(new Service(scheduler)));
        server.Start();
        host.Log.Event(new SchedulerUp(host.Incarnation));
        return scheduler;
    }

    private void Report(Session session, Report report)
    {
        session.Outbox.Enqueue(report);
        session.Wake();
    }

    private void Compute(SchedulerTask task) => host.Spawn("compute", async lifetime =>
    {
        await host.Clock.Delay(TimeSpan.FromMilliseconds(Math.Max(0, task.Spec.DurationMs)), lifetime);
        if (!tasks.TryGetValue(task.Spec.Key, out var current) || !ReferenceEquals(current, task))
        {
            return; // cancelled, released or restarted meanwhile
        }

        if (task.Spec.Operation == "fail")
        {
            task.State = TaskState.Erred;
            Report(task.Owner, new Report { TaskErred = new TaskErred { Key = task.Spec.Key, Exception = $"ValueError: cannot compute {task.Spec.Key} from [{string.Join(", ", task.Spec.Inputs)}]" } });
            return;
        }

        task.State = TaskState.Memory;
        task.Result = Evaluate(task.Spec);
        Report(task.Owner, new Report { KeyInMemory = new KeyInMemory { Key = task.Spec.Key, Result = task.Result } });
    });

    /// <summary>The deterministic computations a task may name.</summary>
    public static long Evaluate(TaskSpec spec) => spec.Operation switch
    {
        "sum-of-squares" => spec.Inputs.Sum(x => x * x),
        "max" => spec.Inputs.Count == 0 ? 0 : spec.Inputs.Max(),
        _ => spec.Inputs.Sum(),
    };

    private void Release(Session session)
    {
        foreach (var key in tasks.Where(t => ReferenceEquals(t.Value.Owner, session)).Select(t => t.Key).ToList())
        {
            tasks.Remove(key);
        }
    }

    /// <summary>One client's report stream.</summary>
    public sealed class Session(string client)
    {
        private TaskCompletionSource<bool>? waiter;

        public string Client { get; } = client;

        public Queue<Report> Outbox { get; } = new();

        public void Wake()
        {
            var w = waiter;
            waiter = null;
            w?.TrySetResult(true);
        }

        public Task WaitAsync()
        {
            waiter ??= new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
            return waiter.Task;
        }
    }

    /// <summary>A task the scheduler holds, with the session that wants it.</summary>
    public sealed class SchedulerTask(TaskSpec spec, Session owner)
    {
        public TaskSpec Spec { get; } = spec;

        public Session Owner { get; } = owner;

        public TaskState State { get; set; } = TaskState.Processing;

        public long Result { get; set; }
    }

    private sealed class Service(Scheduler s) : Contracts.Scheduler.SchedulerBase
    {
        public override async Task Connect(ConnectRequest request, IServerStreamWriter<Report> responseStream, ServerCallContext context)
        {
            var session = new Session(request.Client);
            if (s.sessions.Remove(request.Client, out var previous))
            {
                // The client reconnected: what it wanted before is forgotten, as it forgot those futures.
                s.Release(previous);
                previous.Wake();
            }

            s.sessions[request.Client] = session;
            s.host.Log.Event(new SessionOpened(request.Client));
            await responseStream.WriteAsync(new Report { StreamStart = new StreamStart { Scheduler = s.host.Name, Incarnation = s.host.Incarnation } });
            var registration = context.CancellationToken.Register(static c => ((Session)c!).Wake(), session);
            try
            {
                while (!context.CancellationToken.IsCancellationRequested && s.sessions.TryGetValue(request.Client, out var current) && ReferenceEquals(current, session))
                {
                    while (session.Outbox.TryDequeue(out var report))
                    {
                        await responseStream.WriteAsync(report);
                    }

                    await session.WaitAsync();
                }
            }
            finally
            {
                registration.Unregister();
                if (s.sessions.TryGetValue(request.Client, out var current) && ReferenceEquals(current, session))
                {
                    s.sessions.Remove(request.Client);
                    s.Release(session);
                    s.host.Log.Event(new SessionClosed(request.Client));
                }
            }
        }

        public override Task<SubmitReply> Submit(SubmitRequest request, ServerCallContext context)
        {
            if (!s.sessions.TryGetValue(request.Client, out var session))
            {
                throw new RpcException(new Status(StatusCode.FailedPrecondition, $"unknown client {request.Client}: connect first"));
            }

            foreach (var spec in request.Tasks)
            {
                if (s.tasks.ContainsKey(spec.Key))
                {
                    continue; // a retried submission
                }

                var task = new SchedulerTask(spec, session);
                s.tasks[spec.Key] = task;
                s.Compute(task);
            }

            return Task.FromResult(new SubmitReply());
        }

        public override Task<CancelReply> Cancel(CancelRequest request, ServerCallContext context)
        {
            var cancelled = new CancelledKeys { Reason = request.Reason, Msg = request.Msg };
            Session? owner = null;
            foreach (var key in request.Keys)
            {
                if (s.tasks.TryGetValue(key, out var task) && task.Owner.Client == request.Client)
                {
                    s.tasks.Remove(key);
                    cancelled.Keys.Add(key);
                    owner = task.Owner;
                }
            }

            if (owner is not null)
            {
                s.Report(owner, new Report { CancelledKeys = cancelled });
            }

            s.host.Log.Event(new KeysCancelled(request.Client, cancelled.Keys.Count, request.Reason));
            return Task.FromResult(new CancelReply());
        }

        public override Task<RestartReply> Restart(RestartRequest request, ServerCallContext context)
        {
            s.Restarts++;
            s.tasks.Clear();
            foreach (var session in s.sessions.Values)
            {
                s.Report(session, new Report { Restart = new SchedulerRestart() });
            }

            s.host.Log.Event(new SchedulerRestarted(s.sessions.Count));
            return Task.FromResult(new RestartReply());
        }
    }
}
