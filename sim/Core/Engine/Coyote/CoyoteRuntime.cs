using Microsoft.Coyote.Random;
using Sim.Worlds;

namespace Sim.Engine.Coyote;

/// <summary>
/// The world's runtime under Coyote. Every continuation runs as its own controlled task, so Coyote's
/// strategy chooses the interleaving. Virtual time moves like the loop engine's — timers fire in due
/// order when nothing is runnable — but the clock is a controlled task too, and at each of its steps
/// Coyote may choose (a <see cref="Generator"/> choice, so it is in the trace) to fire the next timer
/// early, while continuations are still runnable: a timer may fire after any number of steps, so
/// timeout races are explored. Once the run is finished nothing posted or due afterwards runs, so every
/// iteration drains and ends.
/// </summary>
public sealed class CoyoteRuntime : IRuntime
{
    private readonly List<(ExecutionContextOwner Owner, SendOrPostCallback Callback, object? State)> held = [];
    private readonly TimerQueue timers = new();
    private readonly Generator generator = Generator.Create();
    private readonly int earlyFireOdds;
    private TimeSpan now;
    private int pending;
    private bool finished;
    private bool fireEarly;
    private TaskCompletionSource? drained;
    private Action afterStep = () => { };

    /// <param name="earlyFireOdds">At each clock step with continuations runnable, the timer fires early with probability 1/odds.</param>
    public CoyoteRuntime(int earlyFireOdds = 20)
    {
        this.earlyFireOdds = earlyFireOdds;
    }

    public TimeSpan Now => now;

    public long Step { get; private set; }

    public void Post(ExecutionContextOwner owner, SendOrPostCallback callback, object? state)
    {
        if (finished)
        {
            return;
        }

        pending++;
        if (drained is { Task.IsCompleted: false } waiting && generator.NextInteger(earlyFireOdds) == 0)
        {
            // Coyote's choice: the next timer fires before the continuations now runnable have run.
            fireEarly = true;
            waiting.TrySetResult();
        }

#pragma warning disable RS0030 // Rewritten by Coyote into a controlled task: Coyote schedules it.
        _ = Task.Run(() => Execute(owner, callback, state));
#pragma warning restore RS0030
    }

    public TimerHandle At(TimeSpan when, Action action) => timers.Add(when < now ? now : when, action);

    public void Resumed(ExecutionContextOwner owner)
    {
        foreach (var item in held.Where(h => h.Owner == owner).ToList())
        {
            held.Remove(item);
            Post(item.Owner, item.Callback, item.State);
        }
    }

    /// <summary>The clock: runs until <paramref name="stop"/> holds, the horizon, the step bound, or nothing is left to do.</summary>
    public async Task<LoopExit> RunAsync(TimeSpan horizon, long maxSteps, Func<bool> stop, Action afterStep)
    {
        this.afterStep = afterStep;
        try
        {
            while (true)
            {
                // A controlled delay: Coyote decides after how many steps the clock moves again.
#pragma warning disable RS0030 // Rewritten by Coyote into a controlled delay (its duration is ignored).
                await Task.Delay(1);
#pragma warning restore RS0030

                // The clock never spins: while posted continuations wait to run it is blocked, so no strategy
                // can starve them by scheduling the clock over and over. A post may wake it early (see Post).
                while (pending > 0 && !fireEarly)
                {
                    drained = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                    await drained.Task;
                }

                Step++;
                afterStep();
                if (stop())
                {
                    return LoopExit.Stopped;
                }

                if (Step >= maxSteps)
                {
                    return LoopExit.StepBound;
                }

                fireEarly = false;

                if (!timers.FireNext(ref now, horizon) && pending == 0)
                {
                    return timers.Count == 0 ? LoopExit.Quiescent : LoopExit.Horizon;
                }
            }
        }
        finally
        {
            finished = true;
        }
    }

    private void Execute(ExecutionContextOwner owner, SendOrPostCallback callback, object? state)
    {
        pending--;
        if (finished || !owner.Alive)
        {
            WakeClockIfDrained();
            return;
        }

        if (owner.Paused)
        {
            held.Add((owner, callback, state));
            WakeClockIfDrained();
            return;
        }

        // Awaits inside the callback continue as Coyote's own controlled tasks; a killed incarnation's
        // pending awaits never complete because every world wake-up checks the owner first.
        Step++;
        callback(state);
        afterStep();
        WakeClockIfDrained();
    }

    private void WakeClockIfDrained()
    {
        if (pending == 0)
        {
            drained?.TrySetResult();
        }
    }
}
