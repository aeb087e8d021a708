using Sim.Stack.Futures;

namespace Sim.Scenarios.Futures;

/// <summary>A future as its user saw it.</summary>
/// <param name="User">The user (process) that submitted it.</param>
public sealed class Tracked(string user, Future future, TimeSpan submittedAt)
{
    public string User { get; } = user;

    public Future Future { get; } = future;

    public TimeSpan SubmittedAt { get; } = submittedAt;

    /// <summary>When the connection dropped while the future was pending, if it did.</summary>
    public TimeSpan? PendingAtDrop { get; set; }
}
