using Sim.Stack.Futures;
using Sim.Worlds;

namespace Sim.Scenarios.Futures;

/// <summary>
/// A reference model of the scheduler, driven by the scheduler's typed events and compared with the real one after
/// every step. Model: sessions (client, identity, token), tasks (owner, state, result) and the restarts asked equal the scheduler's;
/// a session is released when it closes or is replaced; a restart forgets every task and changes every token.
/// Eligibility: a task is accepted only for a client with an open session and reported only to that session.
/// Uniqueness: one session per client, a session token never given twice, one task and one result per key, and a key
/// cancelled in a session never runs again in it.
/// </summary>
public sealed class SchedulerModel
{
    public const string MatchesModel = "scheduler-matches-its-model";
    public const string OneResultPerTask = "one-task-and-one-result-per-key";

    private readonly ScenarioContext context;
    private readonly Live<Scheduler> scheduler;
    private readonly Dictionary<string, ModelSession> sessions = new(StringComparer.Ordinal);
    private readonly Dictionary<TaskId, ModelTask> tasks = [];
    private readonly Dictionary<TaskId, string> results = [];
    private readonly HashSet<TaskId> settled = [];
    private readonly HashSet<string> tokens = new(StringComparer.Ordinal);
    private int incarnation;
    private int restarts;

    public SchedulerModel(ScenarioContext context, Live<Scheduler> scheduler)
    {
        this.context = context;
        this.scheduler = scheduler;
        context.On<SchedulerUp>((e, at) => Reset(at, e.Incarnation));
        context.On<ProcessKilled>((_, at) => Reset(at, 0));
        context.On<SessionOpened>((e, at) => Opened(e, at));
        context.On<SessionReplaced>((e, at) => Ended(e.Client, at, "replaced"));
        context.On<SessionClosed>((e, at) => Ended(e.Client, at, "closed"));
        context.On<TaskAccepted>((e, at) => Accepted(new TaskId(e.Client, e.Key), e.Session, at));
        context.On<TaskComputed>((e, at) => Settled(new TaskId(e.Client, e.Key), TaskState.Memory, e.Result, at));
        context.On<TaskErred>((e, at) => Settled(new TaskId(e.Client, e.Key), TaskState.Erred, 0, at));
        context.On<KeysCancelled>((e, at) => Cancelled(e, at));
        context.On<SchedulerRestarted>((_, at) => Restarted(at));
        context.Always(MatchesModel, Compare);
    }

    /// <summary>The token of the session a task was accepted in, if the model saw the scheduler compute it.</summary>
    public string? ComputedIn(TaskId id) => results.GetValueOrDefault(id);

    private bool Mine(LoggedEvent at) => at.Subject == scheduler.Name;

    private void Reset(LoggedEvent at, int next)
    {
        if (Mine(at))
        {
            incarnation = next;
            restarts = 0;
            sessions.Clear();
            tasks.Clear();
            settled.Clear(); // results stay: a report sent before a crash may still reach its client
        }
    }

    private void Opened(SessionOpened e, LoggedEvent at)
    {
        if (sessions.ContainsKey(e.Client))
        {
            context.Fail(OneResultPerTask, $"at {at.Time.TotalSeconds:F3}s the scheduler opened a second session for {e.Client} while its session {sessions[e.Client].Token} was open");
        }

        if (!tokens.Add(e.Token))
        {
            context.Fail(OneResultPerTask, $"at {at.Time.TotalSeconds:F3}s the scheduler opened a session for {e.Client} with token '{e.Token}', which an earlier session had: a token fences nothing if it comes back");
        }

        sessions[e.Client] = new ModelSession(e.Identity, e.Token);
    }

    private void Ended(string client, LoggedEvent at, string how)
    {
        if (!sessions.Remove(client, out var session))
        {
            context.Fail(MatchesModel, $"at {at.Time.TotalSeconds:F3}s the scheduler {how} a session of {client}, which had none open");
            return;
        }

        foreach (var id in tasks.Keys.Where(id => id.Client == client).ToList())
        {
            tasks.Remove(id);
        }
    }

    private void Accepted(TaskId id, string token, LoggedEvent at)
    {
        var when = $"at {at.Time.TotalSeconds:F3}s the scheduler accepted {id}";
        if (!sessions.TryGetValue(id.Client, out var session))
        {
            context.Fail(MatchesModel, $"{when} for a client with no open session");
        }
        else if (tasks.ContainsKey(id) || settled.Contains(id))
        {
            context.Fail(OneResultPerTask, $"{when}, which it already {(tasks.ContainsKey(id) ? "holds" : "computed")}: a task runs twice");
        }
        else if (session.Before is { } before ? token == before : token != session.Token)
        {
            context.Fail(MatchesModel, $"{when} with session token {token}, but the client's session is {(session.Before is null ? session.Token : $"no longer {token} (the scheduler restarted)")}: work of a session that is over");
        }
        else if (session.Cancelled.Contains(id.Key))
        {
            context.Fail(OneResultPerTask, $"{when} after its client cancelled it in the same session ({session.Token}): a cancelled task runs again");
        }
        else
        {
            tasks[id] = new ModelTask(session.Token);
        }
    }

    private void Settled(TaskId id, TaskState state, long result, LoggedEvent at)
    {
        if (!tasks.TryGetValue(id, out var task) || task.State != TaskState.Processing)
        {
            context.Fail(MatchesModel, $"at {at.Time.TotalSeconds:F3}s the scheduler reported {id} {state.ToString().ToLowerInvariant()}, but it {(task is null ? "holds no such task" : "had already settled it")}");
            return;
        }

        (task.State, task.Result) = (state, result);
        results[id] = task.Token;
        settled.Add(id);
    }

    private void Cancelled(KeysCancelled e, LoggedEvent at)
    {
        if (!sessions.TryGetValue(e.Client, out var session))
        {
            context.Fail(MatchesModel, $"at {at.Time.TotalSeconds:F3}s the scheduler served a cancel of {e.Client}, which has no open session");
            return;
        }

        var held = e.Requested.Where(k => tasks.ContainsKey(new TaskId(e.Client, k))).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        if (!held.SequenceEqual(e.Cancelled.Order(StringComparer.Ordinal)))
        {
            context.Fail(MatchesModel, $"at {at.Time.TotalSeconds:F3}s {e.Client} cancelled [{string.Join(", ", e.Requested)}]: the scheduler forgot [{string.Join(", ", e.Cancelled)}] but held [{string.Join(", ", held)}]");
        }

        foreach (var key in e.Requested)
        {
            session.Cancelled.Add(key);
            tasks.Remove(new TaskId(e.Client, key));
        }
    }

    private void Restarted(LoggedEvent at)
    {
        restarts++;
        tasks.Clear();
        foreach (var session in sessions.Values)
        {
            session.Cancelled.Clear();
            session.Before = session.Token;
        }
    }

    private string? Compare()
    {
        if (scheduler.Current is not { } real || scheduler.Incarnation != incarnation)
        {
            return null;
        }

        // The count may run ahead of the event (under Coyote a log call is a scheduling point), never behind it.
        if (real.Restarts < restarts)
        {
            return $"the scheduler says it restarted {real.Restarts} time(s) in this incarnation, its model saw {restarts} restart(s)";
        }

        return CompareSessions(real) ?? CompareTasks(real);
    }

    private string? CompareSessions(Scheduler real)
    {
        if (real.Sessions.Count != sessions.Count || real.Sessions.Keys.Any(c => !sessions.ContainsKey(c)))
        {
            return $"the scheduler has sessions [{string.Join(", ", real.Sessions.Keys.Order(StringComparer.Ordinal))}], its model [{string.Join(", ", sessions.Keys.Order(StringComparer.Ordinal))}]";
        }

        foreach (var (client, session) in real.Sessions)
        {
            var model = sessions[client];
            if (model.Before is { } before)
            {
                if (session.Token == before)
                {
                    return $"the scheduler restarted but {client}'s session kept its token {before}: work sent before the restart would be accepted after it";
                }

                if (!tokens.Add(session.Token))
                {
                    return $"the scheduler restarted and gave {client}'s session the token '{session.Token}', which an earlier session had: a token fences nothing if it comes back";
                }

                (model.Token, model.Before) = (session.Token, null);
            }

            if (!session.Open || session.Client != client || session.Identity != model.Identity || session.Token != model.Token)
            {
                return $"{client}'s session on the scheduler is {(session.Open ? "open" : "closed")} for '{session.Identity}' with token {session.Token}; its model: open for '{model.Identity}' with token {model.Token}";
            }
        }

        return null;
    }

    private string? CompareTasks(Scheduler real)
    {
        if (real.Tasks.Keys.FirstOrDefault(id => !tasks.ContainsKey(id)) is { Client: not null } extra)
        {
            return $"the scheduler holds {extra}, which its model released or never accepted ({real.Tasks.Count} task(s) held, {tasks.Count} in the model)";
        }

        if (real.Tasks.Count != tasks.Count)
        {
            return $"the scheduler lost {tasks.Keys.First(id => !real.Tasks.ContainsKey(id))}, which its model holds ({real.Tasks.Count} task(s) held, {tasks.Count} in the model)";
        }

        foreach (var (id, task) in real.Tasks)
        {
            var model = tasks[id];
            if (task.State != model.State || (task.State == TaskState.Memory && task.Result != model.Result) || task.Key != id.Key)
            {
                return $"{id} is {task.State.ToString().ToLowerInvariant()} (result {task.Result}) on the scheduler, {model.State.ToString().ToLowerInvariant()} (result {model.Result}) in its model";
            }

            if (!ReferenceEquals(real.Sessions.GetValueOrDefault(id.Client), task.Owner))
            {
                return $"{id} belongs to a session of {task.Owner.Client} that is not its current one: its reports go nowhere";
            }
        }

        return null;
    }

    private sealed class ModelSession(string identity, string token)
    {
        public string Identity { get; } = identity;

        public string Token { get; set; } = token;

        /// <summary>The token before a restart, until the model sees the new one (which must differ).</summary>
        public string? Before { get; set; }

        public HashSet<string> Cancelled { get; } = new(StringComparer.Ordinal);
    }

    private sealed class ModelTask(string token)
    {
        public string Token { get; } = token;

        public TaskState State { get; set; } = TaskState.Processing;

        public long Result { get; set; }
    }
}
