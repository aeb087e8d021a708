namespace Sim.Stack.Futures;

/// <summary>Where a future stands, as upstream: pending, then finished, error or cancelled.</summary>
public enum FutureStatus
{
    Pending,
    Finished,
    Error,
    Cancelled,
}

/// <summary>
/// A remote result the client holds by key. Awaiting it gives the result, or throws
/// <see cref="FutureCancelledException"/> (with the key, reason and message) or <see cref="FutureErredException"/>.
/// The first outcome wins: a finished future stays finished.
/// </summary>
public sealed class Future
{
    private readonly TaskCompletionSource<long> outcome = new(TaskCreationOptions.RunContinuationsAsynchronously);

    internal Future(FuturesClient client, string key, int generation)
    {
        Client = client;
        Key = key;
        Generation = generation;
    }

    public FuturesClient Client { get; }

    public string Key { get; }

    /// <summary>The client's generation (connection or scheduler incarnation) the future was submitted in.</summary>
    public int Generation { get; }

    public FutureStatus Status { get; private set; } = FutureStatus.Pending;

    public bool IsDone => Status != FutureStatus.Pending;

    /// <summary>Why it did not finish, once done: a cancellation or an error.</summary>
    public Exception? Exception => outcome.Task.Exception?.InnerException;

    /// <summary>Waits for the result.</summary>
    public Task<long> ResultAsync() => outcome.Task;

    /// <summary>
    /// Cancels this future with a reason and a message (the convenience form of <see cref="FuturesClient.CancelAsync"/>).
    /// </summary>
    public Task CancelAsync(string? reason = null, string? msg = null) =>
        Client.Defects.IsOn(Defects.DefectCatalogue.DroppedCancelReason)
            // Upstream before PR 9028: the synchronous wrapper forwarded the futures but not the reason.
            ? Client.CancelAsync([this])
            : Client.CancelAsync([this], reason, msg);

    internal bool Finish(long result)
    {
        if (IsDone)
        {
            return false;
        }

        // Told before the awaiter resumes (under Coyote a completed task's continuation may run at once).
        Status = FutureStatus.Finished;
        Client.Done(this, null);
        outcome.SetResult(result);
        return true;
    }

    internal bool Fail(string exception)
    {
        if (IsDone)
        {
            return false;
        }

        Status = FutureStatus.Error;
        Client.Done(this, null);
        outcome.SetException(new FutureErredException(Key, exception));
        return true;
    }

    /// <param name="overrideDone">Marks even a done future cancelled (its awaited outcome stays): only the cancel-after-result defect does.</param>
    internal bool Cancel(string? reason, string? msg, bool bare = false, bool overrideDone = false)
    {
        if (IsDone)
        {
            if (!overrideDone || Status == FutureStatus.Cancelled)
            {
                return false;
            }

            // Upstream's FutureState.cancel() set the status whatever it was: a finished future turned cancelled.
            Status = FutureStatus.Cancelled;
            Client.Done(this, reason);
            return true;
        }

        Status = FutureStatus.Cancelled;
        // Upstream before PR 8705: a bare CancelledError(key), with no reason and no message.
        var error = bare ? new OperationCanceledException(Key) : new FutureCancelledException(Key, reason, msg);
        Client.Done(this, (error as FutureCancelledException)?.Reason);
        outcome.SetException(error);
        return true;
    }

    public override string ToString() => $"<Future: {Status.ToString().ToLowerInvariant()}, key: {Key}>";
}
