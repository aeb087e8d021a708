using Grpc.Core;
using Sim.Stack.Host;
using Sim.Stack.Scheduler.Contracts;

namespace Sim.Stack.Scheduler;

/// <summary>The store serves: what it recovered from its disk (every durable object, so checkers can adopt writes whose acknowledgement died with the store).</summary>
public sealed record StoreServing(long Revision, IReadOnlyList<StoredObject> Objects) : SimEvent
{
    public override string Kind => "store.serving";

    public override string Details => $"revision {Revision}, {Objects.Count} object(s) recovered";
}

/// <summary>The store accepted (and flushed) one write at <paramref name="Version"/>.</summary>
/// <param name="Expected">The version the writer expected (0 create, -1 unconditional).</param>
/// <param name="Epoch">The writer's lease epoch (0 for a write that is not a leader's).</param>
/// <param name="Writer">The caller's certificate name.</param>
/// <param name="Value">The object's bytes (not printed).</param>
public sealed record StoreWriteAccepted(string Key, long Version, long Expected, long Epoch, string Writer, byte[] Value) : SimEvent
{
    public override string Kind => "store.write";

    public override string Details => $"{Key} v{Version} (expected {Expected}) epoch {Epoch} by {Writer}";
}

/// <summary>The store refused one write: fencing, permission, or a version conflict.</summary>
/// <param name="Value">The bytes the write carried (not printed): a lease write is judged by the record it holds.</param>
public sealed record StoreWriteRefused(string Key, long Expected, long Epoch, string Holder, string Writer, StatusCode Status, string Reason, byte[] Value) : SimEvent
{
    public override string Kind => "store.refused";

    public override string Details => $"{Key} epoch {Epoch} holder {Holder} by {Writer}: {Status} {Reason}";
}

/// <summary>The store took a lease write that changed the holder or the epoch: from now on only <paramref name="Holder"/>'s writes at <paramref name="Epoch"/> pass fencing.</summary>
public sealed record LeaseGranted(string Holder, long Epoch, long Version) : SimEvent
{
    public override string Kind => "store.lease-granted";

    public override string Details => $"epoch {Epoch} to {Holder} (v{Version})";
}

/// <summary>A replica acquired the lease and leads at <paramref name="Epoch"/>.</summary>
public sealed record LeaderElected(long Epoch) : SimEvent
{
    public override string Kind => "scheduler.leading";

    public override string Details => $"epoch {Epoch}";
}

/// <summary>A replica stopped leading on its own (renew deadline passed, or the store fenced it off).</summary>
public sealed record LeaderStepDown(long Epoch, string Reason) : SimEvent
{
    public override string Kind => "scheduler.stepped-down";

    public override string Details => $"epoch {Epoch}: {Reason}";
}

/// <summary>The leader placed an attempt of a task on a worker.</summary>
public sealed record TaskPlaced(string Job, string Task, int Attempt, string Worker, long Epoch) : SimEvent
{
    public override string Kind => "scheduler.placed";

    public override string Details => $"{Job}/{Task} attempt {Attempt} on {Worker} (epoch {Epoch})";
}

/// <summary>The leader took a task back from a worker marked unhealthy.</summary>
public sealed record TaskRescheduled(string Job, string Task, int Attempt, string Worker) : SimEvent
{
    public override string Kind => "scheduler.rescheduled";

    public override string Details => $"{Job}/{Task} attempt {Attempt} left {Worker}";
}

/// <summary>The leader committed one attempt's result of a task.</summary>
public sealed record TaskCommitted(string Job, string Task, int Attempt, bool Succeeded, long Epoch) : SimEvent
{
    public override string Kind => "scheduler.committed";

    public override string Details => $"{Job}/{Task} attempt {Attempt} {(Succeeded ? "succeeded" : "failed")} (epoch {Epoch})";
}

/// <summary>The leader's view of the store lacked tasks of a job it holds (the job is written after its tasks): its next pass lists the store first.</summary>
public sealed record ViewStale(string Job) : SimEvent
{
    public override string Kind => "scheduler.view-stale";

    public override string Details => $"job {Job} without all its tasks in view";
}

/// <summary>The leader ignored a report of an attempt that is no longer the task's current one.</summary>
public sealed record StaleReportIgnored(string Job, string Task, int Attempt, int Current) : SimEvent
{
    public override string Kind => "scheduler.stale-report";

    public override string Details => $"{Job}/{Task} attempt {Attempt} (current {Current})";
}

/// <summary>A task ended without running to a result: unschedulable, or skipped.</summary>
public sealed record TaskGivenUp(string Job, string Task, TaskState State, string Reason) : SimEvent
{
    public override string Kind => "scheduler.task-ended";

    public override string Details => $"{Job}/{Task} {State}: {Reason}";
}

/// <summary>The leader marked a worker healthy or unhealthy.</summary>
public sealed record WorkerMarked(string Worker, bool Healthy, string Reason) : SimEvent
{
    public override string Kind => "scheduler.worker-marked";

    public override string Details => $"{Worker} {(Healthy ? "healthy" : "unhealthy")}: {Reason}";
}

/// <summary>The leader finished a job.</summary>
public sealed record JobFinished(string Job, JobState State, string Reason) : SimEvent
{
    public override string Kind => "scheduler.job-finished";

    public override string Details => $"{Job} {State}{(Reason.Length > 0 ? ": " + Reason : "")}";
}

/// <summary>A worker started running an attempt of a task.</summary>
public sealed record AttemptStarted(string Job, string Task, int Attempt) : SimEvent
{
    public override string Kind => "worker.started";

    public override string Details => $"{Job}/{Task} attempt {Attempt}";
}

/// <summary>A worker's report of an attempt is in the store.</summary>
public sealed record AttemptReported(string Job, string Task, int Attempt, bool Succeeded) : SimEvent
{
    public override string Kind => "worker.reported";

    public override string Details => $"{Job}/{Task} attempt {Attempt} {(Succeeded ? "succeeded" : "failed")}";
}

/// <summary>A client stopped retrying the submit of <paramref name="Job"/>: its time ran out after <paramref name="Tries"/> tries, none accepted.</summary>
public sealed record SubmitGaveUp(string Job, int Tries) : SimEvent
{
    public override string Kind => "client.gave-up";

    public override string Details => $"{Job} after {Tries} tr{(Tries == 1 ? "y" : "ies")}";
}

/// <summary>A client's job was accepted by the leader.</summary>
public sealed record JobSubmitted(string Job, int Tasks, string AcceptedBy, long Epoch, int Tries) : SimEvent
{
    public override string Kind => "client.submitted";

    public override string Details => $"{Job} ({Tasks} tasks) by {AcceptedBy} epoch {Epoch} after {Tries} tr{(Tries == 1 ? "y" : "ies")}";
}

/// <summary>A client saw its job end.</summary>
public sealed record JobObserved(string Job, JobState State, string Reason) : SimEvent
{
    public override string Kind => "client.job-ended";

    public override string Details => $"{Job} {State}{(Reason.Length > 0 ? ": " + Reason : "")}";
}
