using Grpc.Core;
using Sim.Stack.Defects;
using Sim.Stack.Futures.Contracts;
using Sim.Stack.Host;
using Sim.Stack.Rpc;

namespace Sim.Stack.Futures;

/// <summary>How the scheduler runs.</summary>
/// <param name="ListenAddress">The address to bind.</param>
/// <param name="Port">The port to bind.</param>
/// <param name="Tls">The TLS server settings (with client trust, a client acts only under ids named after its certificate).</param>
/// <param name="Defects">The defect switches on for this run (none when null).</param>
public sealed record SchedulerOptions(string ListenAddress, int Port, TlsServerOptions? Tls, DefectSet? Defects = null);

/// <summary>A task's identity on the scheduler: keys are scoped to the client that submitted them.</summary>
public readonly record struct TaskId(string Client, string Key)
{
    public override string ToString() => $"{Client}/{Key}";
}

/// <summary>
/// A Dask-style scheduler: client sessions (one report stream each, opened only by the TLS identity the client id
/// is named after, and fenced by a token), task state per client and key, computations run on its workers for the task's duration,
/// results and errors reported to the owning session, cancellation with a reason, and a restart that forgets
/// everything and tells every connected client. A client's keys are released when its session ends or is
/// replaced. State lives in memory: a crash forgets it.
/// </summary>
public sealed class Scheduler
{
    private readonly IHost host;
    private readonly DefectSet defects;
    private readonly Dictionary<string, Session> sessions = new(StringComparer.Ordinal);
    private readonly Dictionary<TaskId, SchedulerTask> tasks = [];
    private int opened;

    private Scheduler(IHost host, DefectSet defects)
    {
        this.host = host;
        this.defects = defects;
    }

    /// <summary>Tasks by client and key.</summary>
    public IReadOnlyDictionary<TaskId, SchedulerTask> Tasks => tasks;

    /// <summary>The current session of each connected client.</summary>
    public IReadOnlyDictionary<string, Session> Sessions => sessions;

    public int Restarts { get; private set; }

    public static Scheduler Start(IHost host, SchedulerOptions options)
    {
        var scheduler = new Scheduler(host, options.Defects ?? DefectSet.None);
        var server = new RpcServer(host, options.ListenAddress, options.Port, options.Tls);
        server.AddService(Contracts.Scheduler.BindService(new SchedulerService(scheduler)));
        server.Start();
        host.Log.Event(new SchedulerUp(host.Incarnation));
        return scheduler;
    }

    /// <summary>The deterministic computations a task may name.</summary>
    public static long Evaluate(TaskSpec spec) => spec.Operation switch
    {
        "sum-of-squares" => spec.Inputs.Sum(x => x * x),
        "max" => spec.Inputs.Count == 0 ? 0 : spec.Inputs.Max(),
        _ => spec.Inputs.Sum(),
    };

    internal string Name => host.Name;

    internal int Incarnation => host.Incarnation;

    /// <summary>
    /// Whether <paramref name="identity"/> may act as <paramref name="client"/>: a client that presents a certificate
    /// acts only under ids named after it (<c>&lt;subject&gt;.&lt;anything&gt;</c>), as a node authorizer scopes a
    /// node to its own name; without a client certificate (no mTLS) there is nothing to check.
    /// </summary>
    public static bool MayActAs(string identity, string client) =>
        identity.Length == 0 || (client.Length > identity.Length + 1 && client.StartsWith(identity + ".", StringComparison.Ordinal));

    /// <summary>Opens <paramref name="client"/>'s session for <paramref name="identity"/>, replacing (and releasing) its previous one.</summary>
    internal Session Open(string client, string identity)
    {
        if (!MayActAs(identity, client))
        {
            throw Refuse("Connect", client, StatusCode.PermissionDenied, $"'{identity}' may not act as client {client}");
        }

        if (sessions.Remove(client, out var previous))
        {
            // The client reconnected before this stream noticed its old one end: what it wanted before is
            // forgotten, as it forgot those futures.
            var released = defects.IsOn(DefectCatalogue.ReplacedSessionKeepsKeys) ? [] : Release(previous);
            previous.Open = false;
            host.Log.Event(new SessionReplaced(client, released.Count));
            Stop(released);
            previous.Wake();
        }

        var session = new Session(client, identity, $"{host.Incarnation}.{++opened}");
        sessions[client] = session;
        host.Log.Event(new SessionOpened(client, identity, session.Token));
        return session;
    }

    /// <summary>The stream of <paramref name="session"/> ended: if it is still the client's current one, it closes.</summary>
    internal void Close(Session session)
    {
        if (session.Open)
        {
            session.Open = false;
            sessions.Remove(session.Client);
            var released = Release(session);
            host.Log.Event(new SessionClosed(session.Client, released.Count));
            Stop(released);
        }
    }

    /// <summary>The session a submit or cancel of <paramref name="client"/> acts in, or the refusal.</summary>
    internal Session Authorize(string method, string client, string token, string identity)
    {
        if (!MayActAs(identity, client))
        {
            throw Refuse(method, client, StatusCode.PermissionDenied, $"'{identity}' may not act as client {client}");
        }

        if (!sessions.TryGetValue(client, out var session))
        {
            throw Refuse(method, client, StatusCode.FailedPrecondition, $"unknown client {client}: connect first");
        }

        if (session.Token != token && !defects.IsOn(DefectCatalogue.StaleSessionSubmit))
        {
            throw Refuse(method, client, StatusCode.FailedPrecondition, $"session {token} of client {client} is over (now {session.Token}): the client reconnected or the scheduler restarted");
        }

        return session;
    }

    /// <summary>Takes the tasks of a submit made with session token <paramref name="token"/> (one of <paramref name="session"/>'s).</summary>
    internal void Submit(Session session, string token, IEnumerable<TaskSpec> specs)
    {
        foreach (var spec in specs)
        {
            var id = new TaskId(session.Client, spec.Key);
            if (tasks.ContainsKey(id) || session.Cancelled.Contains(spec.Key))
            {
                continue; // a retried submission, or one that arrives after its cancel
            }

            var task = new SchedulerTask(spec, session);
            tasks[id] = task;
            host.Log.Event(new TaskAccepted(session.Client, spec.Key, token));
            Compute(id, task);
        }
    }

    internal void Cancel(Session session, CancelRequest request)
    {
        var cancelled = new CancelledKeys { Reason = request.Reason, Msg = request.Msg };
        var forgotten = new List<SchedulerTask>();
        foreach (var key in request.Keys)
        {
            if (!defects.IsOn(DefectCatalogue.ResubmitAfterCancel))
            {
                session.Cancelled.Add(key);
            }

            if (tasks.Remove(new TaskId(session.Client, key), out var task))
            {
                forgotten.Add(task);
                cancelled.Keys.Add(key);
            }
        }

        host.Log.Event(new KeysCancelled(session.Client, [.. request.Keys], [.. cancelled.Keys], request.Reason));
        Stop(forgotten);
        if (cancelled.Keys.Count > 0)
        {
            Report(session, new Report { CancelledKeys = cancelled });
        }
    }

    /// <summary>Forgets every task and tells every session, which gets a new token.</summary>
    internal void Restart()
    {
        Restarts++;
        var forgotten = tasks.Values.ToList();
        tasks.Clear();
        foreach (var session in sessions.Values)
        {
            session.Token = $"{host.Incarnation}.{++opened}";
            session.Cancelled.Clear();
        }

        host.Log.Event(new SchedulerRestarted(sessions.Count, forgotten.Count));
        Stop(forgotten);
        foreach (var session in sessions.Values)
        {
            Report(session, new Report { Restart = new SchedulerRestart { Session = session.Token } });
        }
    }

    private RpcException Refuse(string method, string client, StatusCode code, string detail)
    {
        host.Log.Event(new CallRefused(method, client, code));
        return new RpcException(new Status(code, detail));
    }

    private static void Report(Session session, Report report)
    {
        session.Outbox.Enqueue(report);
        session.Wake();
    }

    private void Compute(TaskId id, SchedulerTask task) => host.Spawn("compute", async _ =>
    {
        try
        {
            // A forgotten task stops computing at once (a killed process stops everything anyway).
            await host.Clock.Delay(TimeSpan.FromMilliseconds(Math.Max(0, task.Spec.DurationMs)), task.Forgotten.Token);
        }
        catch (OperationCanceledException)
        {
            return;
        }

        if (!tasks.TryGetValue(id, out var current) || !ReferenceEquals(current, task))
        {
            return; // forgotten meanwhile (under Coyote a delay does not honour its token)
        }

        if (task.Spec.Operation == "fail")
        {
            task.State = TaskState.Erred;
            host.Log.Event(new TaskErred(id.Client, id.Key));
            Report(task.Owner, new Report { TaskErred = new Contracts.TaskErred { Key = id.Key, Exception = $"ValueError: cannot compute {id.Key} from [{string.Join(", ", task.Spec.Inputs)}]" } });
            return;
        }

        task.State = TaskState.Memory;
        task.Result = Evaluate(task.Spec);
        host.Log.Event(new TaskComputed(id.Client, id.Key, task.Result));
        Report(task.Owner, new Report { KeyInMemory = new KeyInMemory { Key = id.Key, Result = task.Result } });
    });

    /// <summary>Forgets the tasks <paramref name="session"/> owns; their computations are stopped by <see cref="Stop"/> once told.</summary>
    private List<SchedulerTask> Release(Session session)
    {
        var owned = tasks.Where(t => ReferenceEquals(t.Value.Owner, session)).ToList();
        foreach (var (id, _) in owned)
        {
            tasks.Remove(id);
        }

        return [.. owned.Select(t => t.Value)];
    }

    /// <summary>Stops the computations of forgotten tasks (after the event that forgot them: a stop may let others run).</summary>
    private static void Stop(IEnumerable<SchedulerTask> forgotten)
    {
        foreach (var task in forgotten)
        {
            task.Forgotten.Cancel();
        }
    }
}
