namespace Sim.Stack.Futures;

/// <summary>
/// A future was cancelled: it names the key, the reason and a message, as upstream
/// (<c>FutureCancelledError</c>): "&lt;key&gt; cancelled for reason: &lt;reason&gt;." then the message.
/// </summary>
public sealed class FutureCancelledException : OperationCanceledException
{
    public FutureCancelledException(string key, string? reason, string? msg)
        : base(Format(key, Normalise(reason), msg))
    {
        Key = key;
        Reason = Normalise(reason);
        Msg = string.IsNullOrEmpty(msg) ? null : msg; // the scheduler's report says "none" as "" (protobuf has no null)
    }

    public string Key { get; }

    /// <summary>Why it was cancelled; "unknown" when nobody said.</summary>
    public string Reason { get; }

    public string? Msg { get; }

    private static string Normalise(string? reason) => string.IsNullOrEmpty(reason) ? "unknown" : reason;

    private static string Format(string key, string reason, string? msg) =>
        string.IsNullOrEmpty(msg) ? $"{key} cancelled for reason: {reason}." : $"{key} cancelled for reason: {reason}.\n{msg}";
}

/// <summary>The futures of one reason and message, as a <see cref="FuturesCancelledException"/> groups them.</summary>
public sealed record CancelledFuturesGroup(string Reason, string? Msg, IReadOnlyList<FutureCancelledException> Errors)
{
    public override string ToString()
    {
        var s = Errors.Count > 1 ? "s" : "";
        return $"{Errors.Count} Future{s} cancelled for reason: {Reason}.\nMessage: {Msg ?? "None"}\nFuture{s}: [{string.Join(", ", Errors.Select(e => $"'{e.Key}'"))}]";
    }
}

/// <summary>Waiting on many futures, some were cancelled: one error, the keys grouped by reason and message, largest group first.</summary>
public sealed class FuturesCancelledException : OperationCanceledException
{
    public FuturesCancelledException(IEnumerable<FutureCancelledException> errors)
        : this(Group(errors))
    {
    }

    private FuturesCancelledException(IReadOnlyList<CancelledFuturesGroup> groups)
        : base(Format(groups)) => Groups = groups;

    public IReadOnlyList<CancelledFuturesGroup> Groups { get; }

    private static List<CancelledFuturesGroup> Group(IEnumerable<FutureCancelledException> errors) =>
        [.. errors.GroupBy(e => (e.Reason, e.Msg))
            .Select(g => new CancelledFuturesGroup(g.Key.Reason, g.Key.Msg, [.. g]))
            .OrderByDescending(g => g.Errors.Count)
            .ThenBy(g => g.Reason, StringComparer.Ordinal)];

    private static string Format(IReadOnlyList<CancelledFuturesGroup> groups)
    {
        var count = groups.Sum(g => g.Errors.Count);
        return string.Join("\n", new[] { $"{count} Future{(count > 1 ? "s" : "")} cancelled:", "Reasons:" }.Concat(groups.Select(g => g.ToString())));
    }
}

/// <summary>The computation behind a future raised.</summary>
public sealed class FutureErredException(string key, string exception) : Exception($"{key} erred: {exception}")
{
    public string Key { get; } = key;

    public string Error { get; } = exception;
}

/// <summary>An action on a client that has closed.</summary>
public sealed class ClientClosedException(string message) : InvalidOperationException(message);

/// <summary>Connecting to the scheduler failed within the timeout.</summary>
public sealed class SchedulerUnreachableException(string message, Exception? inner = null) : Exception(message, inner);
