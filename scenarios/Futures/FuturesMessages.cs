using Sim.Stack.Futures;

namespace Sim.Scenarios.Futures;

/// <summary>
/// What users read, as upstream words it (README, "Client futures: what a user sees"), rebuilt from the futures
/// themselves: a cancellation says "&lt;key&gt; cancelled for reason: &lt;reason&gt;." and then the message; an error
/// names the key and the computation's exception; waiting on a batch gives every result in order when none failed,
/// one grouped error when any was cancelled (keys grouped by reason and message, largest group first, then by reason),
/// else the first error in order.
/// </summary>
public sealed class FuturesMessages
{
    public const string UsersReadWhatUpstreamSays = "users-read-what-upstream-says";

    private readonly ScenarioContext context;

    public FuturesMessages(ScenarioContext context) => this.context = context;

    /// <summary>One future's error as its awaiter caught it.</summary>
    public void Caught(Tracked t, Exception error)
    {
        var expected = error switch
        {
            FutureCancelledException c => Cancelled(t.Key, c.Reason, c.Msg),
            FutureErredException e => $"{t.Key} erred: ValueError: cannot compute {t.Key} from [{string.Join(", ", t.Inputs)}]",
            _ => null,
        };
        if (expected is not null && error.Message != expected)
        {
            context.Fail(UsersReadWhatUpstreamSays, $"{t.User} caught for {t.Key}: '{Flat(error.Message)}', upstream says '{Flat(expected)}'");
        }
    }

    /// <summary>A future the user read, printed as upstream prints it: <c>&lt;Future: status, key: key&gt;</c>.</summary>
    public void Printed(Tracked t)
    {
        var expected = $"<Future: {t.Seen.ToString()!.ToLowerInvariant()}, key: {t.Key}>";
        if (t.Future.ToString() != expected)
        {
            context.Fail(UsersReadWhatUpstreamSays, $"{t.User} printed {t.Key} as '{t.Future}', upstream says '{expected}'");
        }
    }

    /// <summary>Waiting on <paramref name="batch"/> returned <paramref name="results"/> or threw <paramref name="error"/>.</summary>
    public void Waited(string user, IReadOnlyList<Future> batch, IReadOnlyList<long>? results, Exception? error)
    {
        var cancelled = batch.Where(f => f.Status == FutureStatus.Cancelled).ToList();
        var erred = batch.FirstOrDefault(f => f.Status == FutureStatus.Error);
        string? problem = (results, error) switch
        {
            ({ } r, _) when cancelled.Count > 0 || erred is not null || !r.SequenceEqual(batch.Select(f => f.ResultAsync().Result)) =>
                $"results [{string.Join(", ", r)}] for futures {string.Join(", ", batch.Select(f => f.ToString()))}",
            (null, FuturesCancelledException e) when cancelled.Count == 0 || e.Message != Grouped(cancelled) =>
                $"'{Flat(e.Message)}', upstream says '{Flat(cancelled.Count == 0 ? "(no error: none was cancelled)" : Grouped(cancelled))}'",
            (null, FutureErredException e) when cancelled.Count > 0 || erred is null || e.Key != erred.Key =>
                $"the error of {e.Key}, but {(cancelled.Count > 0 ? $"{cancelled.Count} future(s) were cancelled" : $"the first error in order is {erred?.Key ?? "none"}")}",
            _ => null,
        };
        if (problem is not null)
        {
            context.Fail(UsersReadWhatUpstreamSays, $"{user} waited on {batch.Count} future(s) and got {problem}");
        }
    }

    private static string Cancelled(string key, string reason, string? msg) =>
        string.IsNullOrEmpty(msg) ? $"{key} cancelled for reason: {reason}." : $"{key} cancelled for reason: {reason}.\n{msg}";

    private static string Grouped(IReadOnlyList<Future> cancelled)
    {
        var errors = cancelled.Select(f => f.Exception).OfType<FutureCancelledException>().ToList();
        if (errors.Count != cancelled.Count)
        {
            return "(a cancelled future carries no cancellation error)";
        }

        var groups = errors.GroupBy(e => (e.Reason, e.Msg)).OrderByDescending(g => g.Count()).ThenBy(g => g.Key.Reason, StringComparer.Ordinal);
        var lines = new List<string> { $"{errors.Count} Future{(errors.Count == 1 ? "" : "s")} cancelled:", "Reasons:" };
        foreach (var g in groups)
        {
            var s = g.Count() == 1 ? "" : "s";
            lines.Add($"{g.Count()} Future{s} cancelled for reason: {g.Key.Reason}.\nMessage: {g.Key.Msg ?? "None"}\nFuture{s}: [{string.Join(", ", g.Select(e => $"'{e.Key}'"))}]");
        }

        return string.Join("\n", lines);
    }

    private static string Flat(string text) => text.Replace("\n", " | ", StringComparison.Ordinal);
}
