using Grpc.Core;
using Sim.Stack.Host;

namespace Sim.Scenarios.Fleet;

// The events the fleet scenarios' own code reports: the driver (the side that asks for work) and the probes.

/// <summary>A task the driver submits: its run, the node it is meant for and the value its result must have.</summary>
public sealed record SubmittedTask(string Task, long Run, long Node, long Expected);

/// <summary>The driver pushed these tasks (the coordinator's answer says which it queued).</summary>
public sealed record TasksSubmitted(IReadOnlyList<SubmittedTask> Tasks) : SimEvent
{
    public override string Kind => "driver.submit";

    public override string Details => $"tasks={string.Join(',', Tasks.Select(t => $"{t.Task}@{t.Node}"))}";
}

/// <summary>The driver read a task's result back.</summary>
public sealed record ResultRead(string Task, long Node, long Value) : SimEvent
{
    public override string Kind => "driver.result";

    public override string Details => $"{Task}@{Node}={Value}";
}

/// <summary>The driver gave up waiting for a task's result.</summary>
public sealed record TaskAbandoned(string Task, TimeSpan Waited) : SimEvent
{
    public override string Kind => "driver.abandon";

    public override string Details => $"{Task} after {Waited.TotalSeconds:F1}s";
}

/// <summary>A driver call failed: the tasks it concerned (pushed, or asked for) are not known to be queued, or not read.</summary>
public sealed record DriverCallFailed(string Call, StatusCode Status, string Detail, long Run, IReadOnlyList<string> Tasks) : SimEvent
{
    public override string Kind => "driver.call-failed";

    public override string Details => $"{Call} failed: {Status}: {Detail}";
}

/// <summary>
/// A probe's call was answered: accepted (OK), rejected (Unauthenticated), refused by TLS (<paramref name="Tls"/>),
/// or failed in transport. <paramref name="Stamp"/> is the signed timestamp it presented, when it presented one.
/// </summary>
public sealed record ProbeAnswered(ProbeKind Probe, TimeSpan Sent, DateTime? Stamp, StatusCode Status, TlsFailure? Tls, string Detail) : SimEvent
{
    /// <summary>The public key the probe presented, as the coordinator logs it: its first 12 hex digits, <c>-</c> if none.</summary>
    public string Key { get; init; } = "-";

    public override string Kind => "probe.answer";

    public override string Details => $"{Probe}: {(Tls is { } tls ? $"TLS {tls}" : Status.ToString())}";
}
