namespace Sim.Worlds;

/// <summary>
/// Who a continuation belongs to: one process incarnation, or the world itself. The engine runs a
/// killed incarnation's code never again and holds a paused one's until it resumes.
/// </summary>
public sealed class ExecutionContextOwner
{
    private readonly IRuntime runtime;

    public ExecutionContextOwner(IRuntime runtime, string name, SimProcess? process, int incarnation)
    {
        this.runtime = runtime;
        Name = name;
        Process = process;
        Incarnation = incarnation;
    }

    /// <summary>"world" or the process name with its incarnation.</summary>
    public string Name { get; }

    public SimProcess? Process { get; }

    public int Incarnation { get; }

    /// <summary>False once the incarnation is killed: its continuations are dropped, its wake-ups never come.</summary>
    public bool Alive { get; set; } = true;

    /// <summary>True while the process is paused: its continuations wait.</summary>
    public bool Paused => Process is { Paused: true } && Alive;

    /// <summary>How late the world wakes this owner's code now: its process's slowness while it lasts, else zero.</summary>
    /// <summary>Timers (virtual-time sleeps) this incarnation armed that have neither fired nor been cancelled.</summary>
    public int PendingTimers { get; internal set; }

    /// <summary>Background loops (<see cref="Sim.Stack.Host.IHost.Spawn"/>) of this incarnation still running.</summary>
    public int RunningLoops { get; internal set; }

    public TimeSpan WakeDelay => Alive && Process is { } p && runtime.Now < p.SlowUntil ? p.SlowBy : TimeSpan.Zero;

    /// <summary>Runs world code <paramref name="delay"/> from now.</summary>
    public void After(TimeSpan delay, Action action) => runtime.At(runtime.Now + delay, action);

    /// <summary>The engine's own per-owner state (the loop engine keeps its synchronization context here).</summary>
    public object? EngineState { get; set; }

    /// <summary>World code ended a wait of this owner: its code is runnable (the engine's clock may want to know).</summary>
    public void Woke() => runtime.Woke(this);

    /// <summary>
    /// Ends a wait of this owner's code (<paramref name="end"/> completes what it awaits). While the process is paused
    /// and the engine does not hold await continuations itself (Coyote), the wait ends only once it resumes: the end is
    /// queued as the owner's code, which a pause holds. Without this a paused process kept running under Coyote — its
    /// timers fired, frames woke its receives — and only its posted callbacks waited (scheduler-lease-pause: a worker
    /// paused past its unhealthy mark went on heartbeating, so its task was never rescheduled).
    /// </summary>
    public void EndWait(Action end)
    {
        if (Paused && !runtime.PauseHoldsAwaits)
        {
            Run(end);
            return;
        }

        end();
    }

    /// <summary>Queues <paramref name="action"/> to run as this owner's code.</summary>
    public void Run(Action action) => runtime.Post(this, static a => ((Action)a!)(), action);

    public override string ToString() => Name;
}
