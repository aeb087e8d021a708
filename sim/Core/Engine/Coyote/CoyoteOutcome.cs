using Sim.Worlds;

namespace Sim.Engine.Coyote;

/// <summary>The result of a Coyote exploration or replay.</summary>
/// <param name="Iterations">Iterations run.</param>
/// <param name="Violation">The invariant violated, if a bug was found.</param>
/// <param name="Hash">The failing (or last) iteration's event-log hash.</param>
/// <param name="Log">The failing (or last) iteration's event log.</param>
/// <param name="ReproducibleTrace">Coyote's reproducible trace (JSON) of the bug, if any.</param>
/// <param name="ReadableTrace">Coyote's readable trace of the bug, if any.</param>
/// <param name="WallTime">How long it took.</param>
/// <param name="LastIterationWallTime">How long the last iteration (the failing one, if any) took.</param>
/// <param name="TestbedError">Set when Coyote itself reported a problem of the testbed (an uncontrolled invocation, an internal error).</param>
/// <param name="SchedulingSteps">Coyote's scheduling decisions over all iterations.</param>
/// <param name="FramesDelivered">Frames the network delivered in the last iteration.</param>
/// <param name="ControlledOperations">Coyote's controlled operations (tasks, continuations, delays) over all iterations.</param>
/// <param name="Steps">World steps of the failing (or last) iteration.</param>
/// <param name="VirtualTime">Virtual time the failing (or last) iteration reached.</param>
public sealed record CoyoteOutcome(
    long Iterations,
    Violation? Violation,
    string? Hash,
    EventLog? Log,
    string? ReproducibleTrace,
    string? ReadableTrace,
    TimeSpan WallTime,
    TimeSpan LastIterationWallTime,
    string? TestbedError,
    long SchedulingSteps = 0,
    long FramesDelivered = 0,
    long ControlledOperations = 0,
    long Steps = 0,
    TimeSpan VirtualTime = default)
{
    public bool IsBug => Violation is not null || TestbedError is not null;
}
