namespace Sim.Worlds;

/// <summary>
/// The synchronization context of one process incarnation (or of the world itself). Every continuation
/// that code running here awaits is posted back through it, so the engine sees, orders and — when the
/// incarnation is killed — drops it.
/// </summary>
public sealed class ExecutionContextOwner : SynchronizationContext
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

    /// <summary>False once the incarnation is killed or stopped: its continuations are dropped.</summary>
    public bool Alive { get; set; } = true;

    /// <summary>True while the process is paused: its continuations wait.</summary>
    public bool Paused => Process is { Paused: true } && Alive;

    public override void Post(SendOrPostCallback d, object? state) => runtime.Post(this, d, state);

    public override void Send(SendOrPostCallback d, object? state) =>
        throw new NotSupportedException("Synchronous Send would block the single simulation thread.");

    public override SynchronizationContext CreateCopy() => this;

    public override string ToString() => Name;
}
