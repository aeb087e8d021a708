using Sim.Stack.Futures;

namespace Sim.Scenarios.Futures;

/// <summary>A future as its user saw it: what was asked, what happened to it while pending, and the outcome the user read.</summary>
/// <param name="User">The user (process) that submitted it.</param>
public sealed class Tracked(string user, Future future, string operation, IReadOnlyList<long> inputs, TimeSpan submittedAt)
{
    public string User { get; } = user;

    public Future Future { get; } = future;

    public string Key => Future.Key;

    /// <summary>The computation asked for (sum, sum-of-squares, max, fail).</summary>
    public string Operation { get; } = operation;

    public IReadOnlyList<long> Inputs { get; } = inputs;

    public TimeSpan SubmittedAt { get; } = submittedAt;

    /// <summary>When the connection dropped while the future was pending, if it did.</summary>
    public TimeSpan? PendingAtDrop { get; set; }

    /// <summary>When the scheduler reported a restart to the client while the future was pending, if it did.</summary>
    public TimeSpan? PendingAtRestart { get; set; }

    /// <summary>When the client closed while the future was pending, if it did.</summary>
    public TimeSpan? PendingAtClose { get; set; }

    /// <summary>The reasons the user cancelled it with (whether or not the cancel went through).</summary>
    public List<string> UserReasons { get; } = [];

    /// <summary>The outcome the user's await read, once it did.</summary>
    public FutureStatus? Seen { get; set; }

    /// <summary>The result the user read (when <see cref="Seen"/> is finished).</summary>
    public long? SeenResult { get; set; }

    /// <summary>What the user expects: the computation done by the user's own reference, null for one that must raise.</summary>
    public long? Expected => Operation switch
    {
        "fail" => null,
        "max" => Inputs.Count == 0 ? 0 : Inputs.Max(),
        "sum-of-squares" => Inputs.Select(x => x * x).Sum(),
        _ => Inputs.Sum(),
    };
}
