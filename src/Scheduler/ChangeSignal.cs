namespace Sim.Stack.Scheduler;

/// <summary>Wakes waiters when something changed; a wait also ends when its token is cancelled. No timers, no thread pool.</summary>
internal sealed class ChangeSignal
{
    private readonly List<TaskCompletionSource> waiters = [];

    public void Signal()
    {
        var woken = waiters.ToList();
        waiters.Clear();
        foreach (var waiter in woken)
        {
            waiter.TrySetResult();
        }
    }

    /// <summary>Completes at the next <see cref="Signal"/>; throws <see cref="OperationCanceledException"/> once the token is cancelled.</summary>
    public async Task WaitAsync(CancellationToken cancellationToken)
    {
        var mine = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        waiters.Add(mine);
        using (cancellationToken.Register(static g => ((TaskCompletionSource)g!).TrySetResult(), mine))
        {
            await mine.Task;
        }

        waiters.Remove(mine);
        cancellationToken.ThrowIfCancellationRequested();
    }
}
