using Sim.Stack.Host;

namespace Sim.Stack.Cluster;

/// <summary>
/// Wakes whoever waits for a change (an actor's state, a link's inbox). Waits race the change against a virtual timer
/// through the process's own continuations (Task.WhenAny would resume on the thread pool) and leave no timer behind.
/// </summary>
public sealed class Signal
{
    private TaskCompletionSource changed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Wakes every waiter.</summary>
    public void Set()
    {
        var waiters = changed;
        changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        waiters.TrySetResult();
    }

    /// <summary>Waits until the next <see cref="Set"/>, <paramref name="timeout"/> or the token, whichever comes first.</summary>
    /// <exception cref="OperationCanceledException">The token fired.</exception>
    public async Task WaitAsync(IHost host, TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var timer = new CancellationTokenSource();
        var registration = cancellationToken.Register(static t => ((CancellationTokenSource)t!).Cancel(), timer);
        try
        {
            var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
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

    private static async Task OpenAsync(Task task, TaskCompletionSource gate)
    {
        try
        {
            await task;
        }
        catch (OperationCanceledException)
        {
            // The timer was cancelled: the wait is over either way.
        }

        gate.TrySetResult();
    }
}
