using Sim.Worlds;

namespace Sim.Engine;

/// <summary>
/// The loop engine's synchronization context for one owner: every continuation awaited in that owner's
/// code is posted back to the run queue, so the strategy orders it and a kill drops it.
/// </summary>
internal sealed class LoopSynchronizationContext(LoopRuntime runtime, ExecutionContextOwner owner) : SynchronizationContext
{
    public override void Post(SendOrPostCallback d, object? state) => runtime.Post(owner, d, state);

    public override void Send(SendOrPostCallback d, object? state) =>
        throw new NotSupportedException("Synchronous Send would block the single simulation thread.");

    public override SynchronizationContext CreateCopy() => this;
}
