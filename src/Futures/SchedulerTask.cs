using Sim.Stack.Futures.Contracts;

namespace Sim.Stack.Futures;

/// <summary>Where a task stands on the scheduler.</summary>
public enum TaskState
{
    Processing,
    Memory,
    Erred,
}

/// <summary>A task the scheduler holds, with the session that wants it.</summary>
public sealed class SchedulerTask(TaskSpec spec, Session owner)
{
    public TaskSpec Spec { get; } = spec;

    public string Key => Spec.Key;

    public Session Owner { get; } = owner;

    public TaskState State { get; internal set; } = TaskState.Processing;

    public long Result { get; internal set; }

    /// <summary>Fires when the scheduler forgets the task (cancelled, released, restarted): its computation stops.</summary>
    internal CancellationTokenSource Forgotten { get; } = new();
}
