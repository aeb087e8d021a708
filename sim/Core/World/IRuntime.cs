namespace Sim.Worlds;

/// <summary>
/// What the world needs from an engine: virtual time, a run queue and timers. The loop engine owns all
/// three; the Coyote engine maps them onto Coyote's controlled tasks.
/// </summary>
public interface IRuntime
{
    /// <summary>Virtual time since the start of the run.</summary>
    TimeSpan Now { get; }

    /// <summary>Scheduling steps taken so far.</summary>
    long Step { get; }

    /// <summary>Queues a continuation owned by <paramref name="owner"/>.</summary>
    void Post(ExecutionContextOwner owner, SendOrPostCallback callback, object? state);

    /// <summary>Runs <paramref name="action"/> (world code) at virtual time <paramref name="when"/>.</summary>
    TimerHandle At(TimeSpan when, Action action);

    /// <summary>A paused owner was resumed: continuations held for it may run again.</summary>
    void Resumed(ExecutionContextOwner owner);

    /// <summary>World code just ended a wait of <paramref name="owner"/> (a sleep, a socket's wake): its code is runnable.</summary>
    void Woke(ExecutionContextOwner owner);

    /// <summary>
    /// True when an await's continuation runs as its owner's posted code, so a pause holds it (the loop engine: each
    /// owner has its synchronization context). False when awaits continue on their own (Coyote schedules every
    /// continuation as a controlled task): there, world code must not end a paused owner's waits until it resumes
    /// (<see cref="ExecutionContextOwner.EndWait"/>).
    /// </summary>
    bool PauseHoldsAwaits { get; }
}

/// <summary>A scheduled timer; cancelling it guarantees the action never runs.</summary>
public sealed class TimerHandle(TimeSpan when, Action action)
{
    public TimeSpan When { get; } = when;

    public Action Action { get; } = action;

    public bool Cancelled { get; private set; }

    public void Cancel() => Cancelled = true;
}
