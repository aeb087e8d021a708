using Sim.Worlds;

namespace Sim.Engine;

/// <summary>What an engine's run, exploration or replay gave, whichever the engine.</summary>
/// <param name="Engine">The engine's name.</param>
/// <param name="Config">The config of the failing run (for the loop engine, its seed) or else of the exploration.</param>
/// <param name="Iterations">Runs or iterations done.</param>
/// <param name="Violation">The invariant violated, if a bug was found.</param>
/// <param name="TestbedError">Set when the engine reported a problem of the testbed itself (an uncontrolled invocation, an internal error).</param>
/// <param name="Hash">The event-log hash of the failing (or last) run.</param>
/// <param name="Steps">World steps of the failing (or last) run.</param>
/// <param name="VirtualTime">Virtual time the failing (or last) run reached.</param>
/// <param name="WallTime">Wall time of the whole call.</param>
/// <param name="LastWallTime">Wall time of the failing (or last) run.</param>
/// <param name="Log">The failing (or last) run's event log; its lines are kept only when the config asked for them.</param>
/// <param name="Trace">The engine's reproducible trace of the bug (Coyote), if any.</param>
/// <param name="ReadableTrace">Its readable trace, if any.</param>
public sealed record EngineOutcome(
    string Engine,
    RunConfig Config,
    long Iterations,
    Violation? Violation,
    string? TestbedError,
    string? Hash,
    long Steps,
    TimeSpan VirtualTime,
    TimeSpan WallTime,
    TimeSpan LastWallTime,
    EventLog? Log,
    string? Trace = null,
    string? ReadableTrace = null)
{
    /// <summary>The invariant named by a testbed error (a problem of the testbed, not of the stack).</summary>
    public const string TestbedDefect = "testbed-defect";

    public bool IsBug => Violation is not null || TestbedError is not null;

    public string Verdict => IsBug ? "bug" : "ok";

    /// <summary>The invariant violated, <see cref="TestbedDefect"/> for a testbed error, else null.</summary>
    public string? Invariant => Violation?.Invariant ?? (TestbedError is null ? null : TestbedDefect);

    public string? Message => Violation?.Message ?? TestbedError;

    /// <summary>True when the event log's lines were kept (so it can be written).</summary>
    public bool HasLogLines => Log is { Lines.Count: > 0 };
}
