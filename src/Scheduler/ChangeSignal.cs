using Sim.Stack.Host;

namespace Sim.Stack.Scheduler;

/// <summary>Wakes waiters when something changed. A wait also ends after a timeout or when its token is cancelled, through the host's clock only (no thread pool, nothing Coyote does not control).</summary>
internal sealed class ChangeSignal
{
    private TaskCompletionSource<bool> changed = new(TaskCreationOptions.RunContinuationsAsynchronously);

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
