using Sim.Worlds;

namespace Sim.Engine;

/// <summary>
/// The `loop` engine: one thread, one run queue, one timer queue. Runnable continuations are picked by
/// the strategy; when nothing is runnable, virtual time jumps to the next timer. Continuations of killed
/// incarnations are dropped; those of paused ones wait.
/// </summary>
public sealed class LoopRuntime : IRuntime
{
    private readonly List<WorkItem> runnable = [];
    private readonly List<int> eligible = [];
    private readonly List<WorkItem> eligibleItems = [];
    private readonly TimerQueue timers = new();
    private readonly ISchedulingStrategy strategy;
    private long sequence;
    private int threadId;

    public LoopRuntime(ISchedulingStrategy strategy)
    {
        this.strategy = strategy;
    }

    private TimeSpan now;

    public TimeSpan Now => now;

    public long Step { get; private set; }

    /// <summary>Set when something escaped the simulation (a post from another thread).</summary>
    public string? UncontrolledConcurrency { get; private set; }

    public void Post(ExecutionContextOwner owner, SendOrPostCallback callback, object? state)
    {
        if (threadId != 0 && Environment.CurrentManagedThreadId != threadId)
        {
            UncontrolledConcurrency ??= $"a continuation of {owner} was posted from thread {Environment.CurrentManagedThreadId}, not the simulation thread: something escaped the simulation (a real timer, the thread pool, ConfigureAwait(false))\n{Environment.StackTrace}";
            return;
        }

        runnable.Add(new WorkItem(owner, callback, state, sequence++));
    }

    public TimerHandle At(TimeSpan when, Action action) => timers.Add(when < now ? now : when, action);

    public bool PauseHoldsAwaits => true;

    public void Woke(ExecutionContextOwner owner)
    {
        // The loop engine sees every continuation in its run queue; time never moves while one is runnable.
    }

    public void Resumed(ExecutionContextOwner owner)
    {
        // Paused continuations stay in the run queue; they become eligible again by themselves.
    }

    /// <summary>
    /// Runs until <paramref name="stop"/> says so, virtual time passes <paramref name="horizon"/>, nothing is
    /// left to do, or <paramref name="maxSteps"/> steps were taken.
    /// </summary>
    public LoopExit Run(TimeSpan horizon, long maxSteps, Func<bool> stop, Action afterStep)
    {
        threadId = Environment.CurrentManagedThreadId;
        var previous = SynchronizationContext.Current;
        try
        {
            while (true)
            {
                if (stop())
                {
                    return LoopExit.Stopped;
                }

                if (UncontrolledConcurrency is not null)
                {
                    return LoopExit.Uncontrolled;
                }

                CollectEligible();
                if (eligible.Count == 0)
                {
                    if (!timers.FireNext(ref now, horizon))
                    {
                        return timers.Count == 0 ? LoopExit.Quiescent : LoopExit.Horizon;
                    }

                    continue;
                }

                if (Step >= maxSteps)
                {
                    return LoopExit.StepBound;
                }

                var pick = eligible[strategy.Pick(eligibleItems, Step)];
                var item = runnable[pick];
                runnable.RemoveAt(pick);
                Step++;
                SynchronizationContext.SetSynchronizationContext(item.Owner.EngineState as SynchronizationContext ?? (SynchronizationContext)(item.Owner.EngineState = new LoopSynchronizationContext(this, item.Owner)));
                item.Callback(item.State);
                SynchronizationContext.SetSynchronizationContext(null);
                afterStep();
            }
        }
        finally
        {
            SynchronizationContext.SetSynchronizationContext(previous);
            threadId = 0;
        }
    }

    private void CollectEligible()
    {
        eligible.Clear();
        eligibleItems.Clear();
        for (var i = 0; i < runnable.Count; i++)
        {
            var owner = runnable[i].Owner;
            if (!owner.Alive)
            {
                // A killed incarnation's code never runs again.
                runnable.RemoveAt(i--);
                continue;
            }

            if (!owner.Paused)
            {
                eligible.Add(i);
                eligibleItems.Add(runnable[i]);
            }
        }
    }
}

/// <summary>Why a loop run ended.</summary>
public enum LoopExit
{
    /// <summary>The stop condition held (a violation was found).</summary>
    Stopped,

    /// <summary>Virtual time reached the horizon.</summary>
    Horizon,

    /// <summary>Nothing runnable and no timers: every process is idle for good.</summary>
    Quiescent,

    /// <summary>The step bound was reached first.</summary>
    StepBound,

    /// <summary>Something escaped the simulation.</summary>
    Uncontrolled,
}
