using Sim.Stack.Host;

namespace Sim.Worlds;

/// <summary>A process's clock: virtual time, shifted by its machine's skew; delays are world timers.</summary>
public sealed class SimClock(World world, Machine machine, ExecutionContextOwner owner) : IClock
{
    public DateTime UtcNow => World.Epoch + world.Now + machine.ClockSkew;

    public TimeSpan Elapsed => world.Now;

    public Task Delay(TimeSpan delay, CancellationToken cancellationToken = default) => world.Sleep(delay, cancellationToken, owner);
}
