namespace Sim.Worlds;

/// <summary>
/// One waiter at a time, woken by world code: what a socket's receive or accept blocks on. A wake for a
/// killed incarnation is dropped, so its code never resumes.
/// </summary>
internal sealed class WakeSignal(ExecutionContextOwner owner)
{
    private TaskCompletionSource<bool>? waiter;

    /// <summary>Completes at the next <see cref="Wake"/>, or is cancelled with <paramref name="cancellationToken"/>.</summary>
    public async Task WaitAsync(CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var w = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
        waiter = w;

        // Unregister, not Dispose: Dispose waits for a running callback, which deadlocks under Coyote.
        var registration = cancellationToken.Register(static s => ((TaskCompletionSource<bool>)s!).TrySetCanceled(), w);
        try
        {
            await w.Task;
        }
        finally
        {
            registration.Unregister();
        }
    }

    public void Wake()
    {
        if (!owner.Alive)
        {
            return;
        }

        if (owner.WakeDelay is var late && late > TimeSpan.Zero)
        {
            // A slow process hears of the frame (or the reset) late.
            owner.After(late, () => owner.EndWait(WakeNow));
            return;
        }

        owner.EndWait(WakeNow);
    }

    private void WakeNow()
    {
        if (!owner.Alive)
        {
            return;
        }

        var w = waiter;
        waiter = null;
        if (w?.TrySetResult(true) == true)
        {
            owner.Woke();
        }
    }
}
