namespace Sim.Stack.Host;

/// <summary>The process's view of time: virtual, possibly skewed per machine.</summary>
public interface IClock
{
    /// <summary>The machine's wall clock (virtual time plus the machine's skew).</summary>
    DateTime UtcNow { get; }

    /// <summary>Monotonic time since the start of the run; never skewed.</summary>
    TimeSpan Elapsed { get; }

    /// <summary>Completes after <paramref name="delay"/> of virtual time; cancelled with the token.</summary>
    Task Delay(TimeSpan delay, CancellationToken cancellationToken = default);
}
