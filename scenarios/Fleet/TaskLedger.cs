using Sim.Stack.Fleet;
using Sim.Worlds;

namespace Sim.Scenarios.Fleet;

/// <summary>
/// Accounting of work, end to end from the side that asked: every task the driver submits is followed through the
/// coordinator (queued or refused, handed out, result stored, delivered) and the node (received, pushed) until the
/// driver reads its result back — with the value the task asked for, from the node it was queued for — or until
/// it is lost for a reason the run shows: dropped with its node (deleted or reclaimed), lost with the coordinator's
/// memory (an in-memory restart) or with an unflushed write (a durable one), lost with a node that died holding it,
/// or lost in a call whose failure the node or the driver reported. A task the driver gives up on, and every task
/// still open at the horizon, must be in one of those states or visibly still in flight (queued for a node that is
/// offline, or moving for less than a few seconds).
/// </summary>
public sealed class TaskLedger
{
    public const string OneOutcome = "every-task-has-one-terminal-outcome";
    public const string CorrectResults = "results-read-back-are-the-tasks-results";

    /// <summary>How long a task may sit in a stage that the next step of the protocol leaves within a round or two.</summary>
    private static readonly TimeSpan InFlight = TimeSpan.FromSeconds(3);

    private readonly ScenarioContext context;
    private readonly FleetTopology fleet;
    private readonly FleetModel model;
    private readonly Dictionary<string, TaskFate> tasks = new(StringComparer.Ordinal);
    private readonly Dictionary<string, TimeSpan> readFailures = new(StringComparer.Ordinal);
    private readonly Dictionary<string, TimeSpan> pullFailures = new(StringComparer.Ordinal);
    private bool reconcile;

    public TaskLedger(ScenarioContext context, FleetTopology fleet, FleetModel model)
    {
        this.context = context;
        this.fleet = fleet;
        this.model = model;
        var coordinator = fleet.Coordinator.Name;
        context.On<TasksSubmitted>((e, at) => Submitted(e, at.Time));
        context.On<TasksQueued>((e, at) => Coordinator(at, coordinator, () => Queued(e, at.Time)));
        context.On<NodeReclaimed>((e, at) => Coordinator(at, coordinator, () => Dropped(e.Dropped, $"dropped when node {e.Node} was reclaimed at {Seconds(at.Time)}")));
        context.On<NodeDeleted>((e, at) => Coordinator(at, coordinator, () => Dropped(e.Dropped, $"dropped when node {e.Node} was deleted at {Seconds(at.Time)}")));
        context.On<TasksHandedOut>((e, at) => Coordinator(at, coordinator, () => HandedOut(e, at.Time)));
        context.On<WorkReceived>((e, at) => Move(e.Tasks, at.Time, TaskStage.Received, $"received by {at.Subject} as node {e.Node}", t => t.Holder = at.Subject));
        context.On<NodeCallFailed>((e, at) => CallFailed(e, at));
        context.On<ResultsStored>((e, at) => Coordinator(at, coordinator, () => Stored(e, at.Time)));
        context.On<ResultsDelivered>((e, at) => Coordinator(at, coordinator, () => Delivered(e, at.Time)));
        context.On<ResultRead>((e, at) => Read(e, at.Time));
        context.On<DriverCallFailed>((e, at) => DriverFailed(e, at.Time));
        context.On<TaskAbandoned>((e, at) => Abandoned(e, at.Time));
        context.On<ProcessKilled>((e, at) => Killed(at.Subject, e.Incarnation, at.Time));
        context.On<CoordinatorUp>((e, at) => reconcile = at.Subject == coordinator && e.Durable);
        context.Always(OneOutcome, Reconcile);
        context.Eventually(OneOutcome, () => tasks.Values.FirstOrDefault(t => !t.Terminal && !InFlightNow(t)) is { } open
            ? $"{open.Describe()}: no outcome at the horizon ({Seconds(context.Horizon)}) and nothing keeps it in flight"
            : null);
    }

    /// <summary>The tasks, for the account.</summary>
    public IReadOnlyCollection<TaskFate> Tasks => tasks.Values;

    private static string Seconds(TimeSpan t) => $"{t.TotalSeconds:F3}s";

    private static void Coordinator(LoggedEvent at, string coordinator, Action handle)
    {
        if (at.Subject == coordinator)
        {
            handle();
        }
    }

    private void Submitted(TasksSubmitted e, TimeSpan at)
    {
        foreach (var task in e.Tasks)
        {
            tasks[task.Task] = new TaskFate(task, at);
        }
    }

    private void Queued(TasksQueued e, TimeSpan at)
    {
        foreach (var (list, stage) in new[] { (e.Accepted, TaskStage.Queued), (e.Refused, TaskStage.Refused) })
        {
            foreach (var queued in list)
            {
                if (!tasks.TryGetValue(queued.Task, out var fate) || fate.Stage != TaskStage.Submitted || fate.Task.Node != queued.Node)
                {
                    context.Fail(OneOutcome, $"the coordinator {(stage == TaskStage.Queued ? "queued" : "refused")} {queued.Task} for node {queued.Node}, but {(fate is null ? "the driver never submitted it" : $"it is {fate.Describe()}")}");
                    return;
                }

                fate.Enter(stage, at, stage == TaskStage.Queued ? $"queued for node {queued.Node}" : $"refused (node {queued.Node} offline)");
            }
        }
    }

    private void Dropped(IReadOnlyList<string> dropped, string why)
    {
        foreach (var id in dropped)
        {
            if (tasks.TryGetValue(id, out var fate) && !fate.Terminal)
            {
                fate.Lose(context.World.Now, why);
            }
        }
    }

    /// <summary>Moves tasks on to <paramref name="stage"/>: each must come from the stage before it.</summary>
    private void Move(IReadOnlyList<string> ids, TimeSpan at, TaskStage stage, string what, Action<TaskFate>? also = null)
    {
        foreach (var id in ids)
        {
            if (!tasks.TryGetValue(id, out var fate))
            {
                context.Fail(OneOutcome, $"{id} was {what} at {Seconds(at)}, but the driver never submitted it");
                return;
            }

            if (fate.Stage != stage - 1)
            {
                context.Fail(OneOutcome, $"{id} was {what} at {Seconds(at)}, but it is {fate.Describe()}");
                return;
            }

            fate.Enter(stage, at, what);
            also?.Invoke(fate);
        }
    }

    private void CallFailed(NodeCallFailed e, LoggedEvent at)
    {
        if (e.Call == "PullTaskIns" && fleet.Keys.TryGetValue(at.Subject, out var key))
        {
            pullFailures[at.Subject] = at.Time;
            // The coordinator handed the tasks out, but the answer never reached the node.
            foreach (var fate in tasks.Values.Where(t => t.Stage == TaskStage.HandedOut && t.HandedTo?.Key == key))
            {
                fate.Lose(at.Time, $"its pull's answer was lost ({e.Status})");
            }

            return;
        }

        foreach (var id in e.Lost)
        {
            if (tasks.TryGetValue(id, out var fate) && fate.Stage == TaskStage.Received)
            {
                // A push that failed at the node may still have been stored (its answer came too late): in doubt, not lost.
                fate.Doubt(at.Time, $"{at.Subject}'s {e.Call} failed ({e.Status}: {e.Detail})");
            }
        }
    }

    private void HandedOut(TasksHandedOut e, TimeSpan at)
    {
        Move(e.Tasks, at, TaskStage.HandedOut, $"handed out to node {e.Node}", t => t.HandedTo = (e.Node, e.Key));
        if (fleet.NodeOf(e.Key) is { IsUp: false } dead)
        {
            // A paused or slow coordinator answering a pull of a process killed since: nobody receives the answer.
            foreach (var fate in e.Tasks.Select(id => tasks.GetValueOrDefault(id)).OfType<TaskFate>().Where(f => f.Stage == TaskStage.HandedOut))
            {
                fate.Lose(at, $"handed out to {dead.Name}, which is down");
            }

            return;
        }

        if (fleet.NodeOf(e.Key) is { } holder && pullFailures.TryGetValue(holder.Name, out var failed) && at - failed <= InFlight)
        {
            // The coordinator may be answering a pull the node already saw fail (past its deadline): that answer is dropped.
            foreach (var fate in e.Tasks.Select(id => tasks.GetValueOrDefault(id)).OfType<TaskFate>().Where(f => f.Stage == TaskStage.HandedOut))
            {
                fate.Doubt(at, $"{holder.Name}'s PullTaskIns failed at {Seconds(failed)}: this handout may answer that call");
            }
        }
    }

    private void Stored(ResultsStored e, TimeSpan at)
    {
        foreach (var result in e.Stored)
        {
            // A durable coordinator that lost a handout in a restart may hand a task out twice: its second result is the same one.
            if (tasks.TryGetValue(result.Task, out var fate) && fate.Stage is not (TaskStage.Received or TaskStage.HandedOut))
            {
                continue;
            }

            Move([result.Task], at, TaskStage.Stored, $"stored from node {result.Node}");
        }

        foreach (var ignored in e.Ignored)
        {
            if (tasks.TryGetValue(ignored.Task, out var fate) && fate.Stage == TaskStage.Received)
            {
                fate.Lose(at, $"its result was ignored: node {ignored.Node} is not the pusher's");
            }
        }
    }

    private void Delivered(ResultsDelivered e, TimeSpan at)
    {
        Move(e.Tasks, at, TaskStage.Delivered, "delivered to the driver");
        foreach (var id in e.Tasks.Where(readFailures.ContainsKey))
        {
            // The coordinator may be answering a PullTaskRes the driver already saw fail (a paused or slow coordinator):
            // that answer is dropped, so the delivery may be lost.
            if (tasks.TryGetValue(id, out var fate) && fate.Stage == TaskStage.Delivered)
            {
                fate.Doubt(at, $"a PullTaskRes asking for it failed at {Seconds(readFailures[id])}: this delivery may answer that call");
            }
        }
    }

    private void Read(ResultRead e, TimeSpan at)
    {
        if (!tasks.TryGetValue(e.Task, out var fate))
        {
            context.Fail(OneOutcome, $"the driver read a result for {e.Task}, which it never submitted");
            return;
        }

        if (e.Value != fate.Task.Expected || e.Node != fate.Task.Node)
        {
            context.Fail(CorrectResults, $"the driver read {e.Task}'s result as {e.Value} from node {e.Node}; the task ({fate.Describe()}) was queued for node {fate.Task.Node} and its result is {fate.Task.Expected}");
            return;
        }

        Move([e.Task], at, TaskStage.Read, "read back by the driver");
    }

    private void DriverFailed(DriverCallFailed e, TimeSpan at)
    {
        foreach (var id in e.Tasks)
        {
            if (!tasks.TryGetValue(id, out var fate))
            {
                continue;
            }

            if (e.Call == "PullTaskRes")
            {
                readFailures[id] = at;
                if (fate.Stage == TaskStage.Delivered)
                {
                    fate.Lose(at, $"delivered in a PullTaskRes whose answer was lost ({e.Status})");
                }
            }
            else if (fate.Stage == TaskStage.Submitted)
            {
                // The coordinator may still queue it (the answer, not the request, was lost): in doubt, not lost.
                fate.Doubt(at, $"the driver's {e.Call} failed ({e.Status}: {e.Detail})");
            }
        }
    }

    private void Abandoned(TaskAbandoned e, TimeSpan at)
    {
        if (!tasks.TryGetValue(e.Task, out var fate))
        {
            return;
        }

        var retrying = readFailures.TryGetValue(e.Task, out var failed) && at - failed <= InFlight && fate.Stage is TaskStage.Stored or TaskStage.Delivered;
        if (!fate.Terminal && !InFlightNow(fate) && !retrying)
        {
            context.Fail(OneOutcome, $"the driver gave up on {fate.Describe()} after {e.Waited.TotalSeconds:F1}s, and nothing explains it");
            return;
        }

        fate.Abandoned = true;
    }

    private void Killed(string process, int incarnation, TimeSpan at)
    {
        if (process == fleet.Coordinator.Name && !fleet.Durable)
        {
            foreach (var fate in tasks.Values.Where(t => t.Stage is TaskStage.Queued or TaskStage.Stored))
            {
                fate.Lose(at, $"lost with {process}#{incarnation}'s memory");
            }

            return;
        }

        if (!fleet.Keys.TryGetValue(process, out var key))
        {
            return;
        }

        foreach (var fate in tasks.Values.Where(t => t.Stage == TaskStage.HandedOut && t.HandedTo?.Key == key))
        {
            fate.Lose(at, $"{process}#{incarnation} died before it received it");
        }

        foreach (var fate in tasks.Values.Where(t => t.Stage == TaskStage.Received && t.Holder == process))
        {
            // Its PushTaskRes may already be on the wire, or in the coordinator's hands (a request that arrived before the
            // death is still served): in doubt, not lost (fleet-restart swarm seed 20261130000117: node3's push reached
            // the coordinator 5 ms before node3 was killed and was stored 180 ms later).
            fate.Doubt(at, $"{process}#{incarnation} died holding it");
        }
    }

    /// <summary>After a durable restart: what the coordinator recovered decides which tasks it still holds.</summary>
    private string? Reconcile()
    {
        if (!reconcile || fleet.Coordinator.Current is not { } running)
        {
            return null;
        }

        reconcile = false;
        var now = context.World.Now;
        var queued = running.State.PendingTasks.Values.SelectMany(l => l).Select(t => t.TaskId).ToHashSet(StringComparer.Ordinal);
        foreach (var fate in tasks.Values)
        {
            var (inQueue, inResults) = (queued.Contains(fate.Task.Task), running.State.Results.ContainsKey(fate.Task.Task));
            if (fate.Stage is TaskStage.Queued && !inQueue)
            {
                fate.Lose(now, "its queueing was not flushed before the coordinator restarted");
            }
            else if (fate.Stage is TaskStage.Stored && !inResults)
            {
                fate.Lose(now, "its result was not flushed before the coordinator restarted");
            }
            else if (inQueue && fate.Stage is not TaskStage.Queued)
            {
                fate.Enter(TaskStage.Queued, now, "queued again: its handout was not flushed before the restart");
            }
            else if (inResults && fate.Stage is TaskStage.Delivered or TaskStage.Lost)
            {
                fate.Enter(TaskStage.Stored, now, "stored again: its delivery was not flushed before the restart");
            }
        }

        return null;
    }

    /// <summary>Whether an open task is visibly still moving: queued for a node that is offline or gone with its process, or in a stage for less than a few seconds.</summary>
    private bool InFlightNow(TaskFate fate)
    {
        var now = context.World.Now;
        if (now - fate.Since <= InFlight)
        {
            return true;
        }

        if (fate.Stage != TaskStage.Queued)
        {
            return false;
        }

        // Queued for a node still registered that cannot pull now (offline, or its process down): it waits for that node.
        var owner = model.Owner(fate.Task.Node) is { } key ? fleet.NodeOf(key) : null;
        return model.State.Nodes.ContainsKey(fate.Task.Node) && (!model.IsOnline(fate.Task.Node) || owner is not { IsUp: true });
    }
}

/// <summary>Where a task is on its way from the driver and back.</summary>
public enum TaskStage
{
    Submitted,
    Queued,
    HandedOut,
    Received,
    Stored,
    Delivered,
    Read,
    Refused,
    Lost,
}

/// <summary>One task's way so far, as the ledger followed it.</summary>
public sealed class TaskFate(SubmittedTask task, TimeSpan submitted)
{
    private readonly List<string> history = [$"submitted at {submitted.TotalSeconds:F3}s for node {task.Node}"];

    public SubmittedTask Task { get; } = task;

    public TaskStage Stage { get; private set; }

    public TimeSpan Since { get; private set; } = submitted;

    /// <summary>The node id it was handed out as, and the key of the caller that pulled it.</summary>
    public (long Node, string Key)? HandedTo { get; set; }

    /// <summary>The process that received it.</summary>
    public string? Holder { get; set; }

    /// <summary>The driver gave up on it.</summary>
    public bool Abandoned { get; set; }

    /// <summary>Ended unless something shows it moved on: the call that carried it failed on the caller's side, in the stage it is still in.</summary>
    public TaskStage? DoubtfulIn { get; private set; }

    public bool Terminal => Stage is TaskStage.Read or TaskStage.Refused or TaskStage.Lost || Abandoned || DoubtfulIn == Stage;

    public void Enter(TaskStage stage, TimeSpan at, string what)
    {
        (Stage, Since) = (stage, at);
        history.Add($"{what} at {at.TotalSeconds:F3}s");
    }

    public void Doubt(TimeSpan at, string why)
    {
        DoubtfulIn = Stage;
        history.Add($"maybe lost: {why} at {at.TotalSeconds:F3}s");
    }

    public void Lose(TimeSpan at, string why) => Enter(TaskStage.Lost, at, $"lost: {why}");

    public string Describe() => $"{Task.Task} ({string.Join(", ", history)})";
}
