namespace Sim.Stack.Host;

/// <summary>
/// Wakes whoever waits for a change (a topic's queue, an actor's state, a link's inbox, a store's watch). A wait also
/// ends after a timeout or when its token is cancelled, through the host's clock only: the change and the timer race
/// through the process's own continuations (Task.WhenAny would resume on the thread pool, which Coyote does not
/// control), and the wait leaves no timer behind.
/// </summary>
public sealed class ChangeSignal
{
    private TaskCompletionSource<bool> changed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Wakes every waiter.</summary>
    public void Signal()
    {
        var waiters = changed;
        changed = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
        waiters.TrySetResult(true);
    }

    /// <summary>Completes at the next <see cref="Signal"/> or after <paramref name="timeout"/>; throws <see cref="OperationCanceledException"/> once the token is cancelled.</summary>
    public async Task WaitAsync(IHost host, TimeSpan timeout, CancellationToken cancellationToken)
    {
        // Registered by hand and unregistered (never disposed): disposing a registration waits for a running callback.
        using var timer = new CancellationTokenSource();
        var registration = cancellationToken.Register(static t => ((CancellationTokenSource)t!).Cancel(), timer);
        try
        {
            var gate = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
            _ = OpenAsync(changed.Task, gate);
            _ = OpenAsync(host.Clock.Delay(timeout, timer.Token), gate);
            await gate.Task;
            cancellationToken.ThrowIfCancellationRequested();
        }
        finally
        {
            timer.Cancel();
            registration.Unregister();
        }
    }

    private static async Task OpenAsync(Task task, TaskCompletionSource<bool> gate)
    {
        try
        {
            await task;
        }
        catch (OperationCanceledException)
        {
            // The timer was cancelled (or the wait's token): the wait is over either way.
        }

        gate.TrySetResult(true);
    }
}
