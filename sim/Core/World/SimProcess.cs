using Sim.Stack.Host;

namespace Sim.Worlds;

/// <summary>The lifecycle state of a simulated process.</summary>
public enum ProcessState
{
    /// <summary>Never started.</summary>
    Created,

    /// <summary>Running (possibly paused).</summary>
    Running,

    /// <summary>Killed or stopped: memory gone, durable disk kept.</summary>
    Down,
}

/// <summary>
/// A process placed on a machine. Its identity (name, disk) survives restarts; each start is a new
/// incarnation with fresh memory, a fresh synchronization context and a fresh randomness stream.
/// </summary>
public sealed class SimProcess(string name, Machine machine, Func<IHost, Task> main, bool killable)
{
    public string Name { get; } = name;

    public Machine Machine { get; } = machine;

    public Func<IHost, Task> Main { get; } = main;

    /// <summary>Whether the fault injector may kill, pause or restart it.</summary>
    public bool Killable { get; } = killable;

    public ProcessState State { get; internal set; } = ProcessState.Created;

    public int Incarnation { get; internal set; }

    public bool Paused { get; internal set; }

    /// <summary>Until when the process is slow (a starved CPU, a noisy neighbour): every wake-up reaches it <see cref="SlowBy"/> late.</summary>
    public TimeSpan SlowUntil { get; internal set; }

    /// <summary>How late each wake-up reaches the process while it is slow.</summary>
    public TimeSpan SlowBy { get; internal set; }

    internal ExecutionContextOwner? Owner { get; set; }

    internal CancellationTokenSource? Lifetime { get; set; }

    /// <summary>The host object of the current incarnation (null while down).</summary>
    public ProcessHost? Host { get; internal set; }

    public bool IsUp => State == ProcessState.Running;

    /// <summary>Asked to stop gracefully and not killed yet.</summary>
    public bool Stopping => IsUp && Lifetime is { IsCancellationRequested: true };

    public override string ToString() => Name;
}
