using Sim.Stack.Futures.Contracts;

namespace Sim.Stack.Futures;

/// <summary>
/// One client's report stream on the scheduler: the TLS identity that opened it, the token that fences the
/// client's submits and cancels to it (a reconnect or a restart changes it), the reports waiting to be written,
/// and the keys the client cancelled in it (a late or retried submission of one is never run again).
/// </summary>
public sealed class Session(string client, string identity, string token)
{
    private TaskCompletionSource<bool>? waiter;

    public string Client { get; } = client;

    /// <summary>The TLS peer identity that opened the stream ("" without a client certificate).</summary>
    public string Identity { get; } = identity;

    /// <summary>The current fencing token (changes when the scheduler restarts).</summary>
    public string Token { get; internal set; } = token;

    /// <summary>Whether the session is still the client's current one (false once replaced or closed).</summary>
    public bool Open { get; internal set; } = true;

    public Queue<Report> Outbox { get; } = new();

    /// <summary>Keys cancelled in this session (since the last restart).</summary>
    public HashSet<string> Cancelled { get; } = new(StringComparer.Ordinal);

    public void Wake()
    {
        var w = waiter;
        waiter = null;
        w?.TrySetResult(true);
    }

    public Task WaitAsync()
    {
        waiter ??= new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
        return waiter.Task;
    }
}
