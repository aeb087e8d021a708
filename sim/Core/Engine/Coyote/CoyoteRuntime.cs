using Microsoft.Coyote.Random;
using Microsoft.Coyote.Runtime;
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
    /// <summary>The clock waits a choice of [0, TickSteps) scheduling steps before each tick (Coyote's default timeout delay).</summary>
    private const int TickSteps = 10;

    private readonly List<(ExecutionContextOwner Owner, SendOrPostCallback Callback, object? State)> held = [];
    /// <summary>Owners whose code was made runnable (posted to, or woken from a wait) since the clock last found nothing else to run.</summary>
    private readonly HashSet<ExecutionContextOwner> busy = [];
    private readonly TimerQueue timers = new();
    private readonly Generator generator = Generator.Create();
    /// <summary>Controlled delays the clock waits, giving every other operation its turn, before it calls the run over.</summary>
    private const int SettleRounds = 16;

    /// <summary>
    /// Operations in Coyote's map below which the clock does not tidy it (see <see cref="Tidy"/>). Small, because
    /// Coyote and the clock walk the whole map at every scheduling point, while an iteration has only a few operations
    /// alive at a time: with 1,024, the clock's walks alone (<see cref="CoyoteOperations.OthersEnabled"/>, by
    /// reflection) were 13 % of scheduler-failover's CPU samples.
    /// </summary>
    private const int TidyFloor = 64;

    private readonly int earlyFireOdds;
    private int tidyAt = TidyFloor;
    private TimeSpan now;
    private int pending;
    private bool finished;
    private bool fireEarly;
    private bool choosing;
    private TaskCompletionSource? drained;
    private Action afterStep = () => { };

    /// <param name="earlyFireOdds">At each clock step with continuations runnable, the timer fires early with probability 1/odds.</param>
    public CoyoteRuntime(int earlyFireOdds = 20)
    {
        this.earlyFireOdds = earlyFireOdds;
    }

    public TimeSpan Now => now;

    /// <summary>Where the clock reports a timer it fired ahead of runnable work (<see cref="TimerFiredEarly"/>, with its subject).</summary>
    public Action<TimerFiredEarly, string>? FiredEarly { get; set; }

    public long Step { get; private set; }

    /// <summary>Completed operations the clock removed from Coyote's map (<see cref="CoyoteOperations.ForgetCompleted"/>): Coyote's operation count misses them.</summary>
    public long ForgottenOperations { get; private set; }

    /// <summary>
    /// The program state Coyote's Q-learning strategy learns on (see <see cref="CoyoteEngine"/>): the world
    /// step, virtual time, runnable and held continuations, armed timers, and whether a value is being drawn.
    /// The step makes a state recur only across iterations that reached the same point the same way, never
    /// within one, so the strategy's table of operations per state stays as small as the set runnable there.
    /// A draw has a state of its own: the strategy keeps one table per state for operations and for values
    /// alike, and scans every key of it against every operation of the iteration when it schedules, so a
    /// scheduling point sharing its state with a 256-valued draw cost 256 scans of all operations. Only
    /// integers go in (a string's hash code differs from process to process), so the same seed explores the
    /// same way in every process.
    /// </summary>
    public int StateHash
    {
        get
        {
            var h = 0xcbf29ce484222325UL;
            foreach (var value in (ReadOnlySpan<long>)[Step, now.Ticks, pending, held.Count, timers.Count, choosing ? 1 : 0])
            {
                h = (h ^ (ulong)value) * 0x100000001b3UL;
            }

            return (int)(h ^ (h >> 32));
        }
    }

    public void Post(ExecutionContextOwner owner, SendOrPostCallback callback, object? state)
    {
        if (finished)
        {
            return;
        }

        pending++;
        busy.Add(owner);
        if (drained is { Task.IsCompleted: false } waiting && Choose(earlyFireOdds) == 0)
        {
            // Coyote's choice: the next timer fires before the continuations now runnable have run.
            fireEarly = true;
            waiting.TrySetResult();
        }

#pragma warning disable RS0030 // Rewritten by Coyote into a controlled task: Coyote schedules it.
        _ = Task.Run(() => Execute(owner, callback, state));
#pragma warning restore RS0030
    }

    /// <summary>A Coyote choice of a value in [0, <paramref name="maxValue"/>), in a program state of its own (see <see cref="StateHash"/>).</summary>
    public int Choose(int maxValue)
    {
        choosing = true;
        try
        {
            return generator.NextInteger(maxValue);
        }
        finally
        {
            choosing = false;
        }
    }

    public TimerHandle At(TimeSpan when, Action action) => timers.Add(when < now ? now : when, action);

    public bool PauseHoldsAwaits => false;

    public void Woke(ExecutionContextOwner owner) => busy.Add(owner);

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
                Tidy();

                // Coyote decides after how many scheduling steps the clock moves again: a choice of up to
                // TickSteps - 1 yields, each a scheduling point where Coyote's strategy may run anything else first
                // (strategies such as pct take a yield as a hint to do so). This mirrors the controlled
                // `Task.Delay(1)` it replaces (a choice in [0, 10) of steps to wait) without its cost: that delay
                // was a controlled operation, so a new thread, and the continuation after it another, at every tick.
                for (var wait = Choose(TickSteps); wait > 0; wait--)
                {
                    SchedulingPoint.Yield();
                }

                // The clock never spins: while posted continuations wait to run it is blocked, so no strategy
                // can starve them by scheduling the clock over and over. A post may wake it early (see Post). Most of
                // the world's work is not posted but runs as await continuations, operations Coyote schedules on
                // their own: while any is runnable the clock waits too (a controlled delay, so even a strategy that
                // sticks to the running operation, as probabilistic does, must run them), unless Coyote chooses, with
                // the same odds, to fire the next timer ahead of them. Before, the clock raced them at every tick, and
                // under probabilistic fired timer after timer while a response sat runnable: every deadline passed.
                while (!fireEarly && (pending > 0 || CoyoteOperations.OthersEnabled()))
                {
                    Tidy();
                    if (pending > 0)
                    {
                        drained = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                        await drained.Task;
                        CoyoteOperations.CutCreationChain();
                    }
                    else if (Choose(earlyFireOdds) == 0)
                    {
                        fireEarly = true;
                    }
                    else
                    {
#pragma warning disable RS0030 // Rewritten by Coyote into a controlled delay: others run first, for a chosen number of steps or until none is runnable.
                        await Task.Delay(1);
#pragma warning restore RS0030
                        CoyoteOperations.CutCreationChain();
                    }
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

                ReportEarlyFire(horizon);

                fireEarly = false;

                if (!timers.FireNext(ref now, horizon) && pending == 0 && await SettledAsync())
                {
                    // What ran while the clock settled (await continuations, not posted steps) came after the last
                    // check: the end is checked too, so safety sees it and the liveness monitor is not left owed
                    // what the end of the run paid (Coyote reports a monitor hot at the end as a liveness bug).
                    afterStep();
                    return stop() ? LoopExit.Stopped : timers.Count == 0 ? LoopExit.Quiescent : LoopExit.Horizon;
                }
            }
        }
        finally
        {
            finished = true;
        }
    }

    /// <summary>
    /// Before the clock declares the run over, every other controlled operation gets to run: an await
    /// continuation, or code Coyote paused at a scheduling point inside a synchronous block, is not a
    /// posted continuation the clock counts. The clock waits until nothing new is posted and no timer
    /// appears; only then is the run quiescent (or at its horizon). It waits on controlled delays, not
    /// yields: a yield leaves the clock enabled, and an unfair strategy (pct, delay-bounding) scheduled it
    /// again and again over an operation it ranked lower, so a client's continuation that was due never ran
    /// and the run ended with its operation open (register-ack-kill under pct, every-operation-has-exactly-
    /// one-outcome). A delayed clock is not enabled, so every strategy must run what is.
    /// </summary>
    private async Task<bool> SettledAsync()
    {
        var timersBefore = timers.Count;
        for (var round = 0; round < SettleRounds; round++)
        {
#pragma warning disable RS0030 // Rewritten by Coyote into a controlled delay.
            await Task.Delay(1);
#pragma warning restore RS0030
            CoyoteOperations.CutCreationChain();
            if (pending > 0 || timers.Count != timersBefore)
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>
    /// The clock is about to fire the next timer. When some other controlled operation is still runnable (a posted
    /// continuation, or an await continuation Coyote runs as its own operation, which the clock cannot count), the timer
    /// fires ahead of that work: every process made runnable since the clock last found nothing else to run is told how
    /// far virtual time jumps over it (<see cref="TimerFiredEarly"/>), so checkers know the schedule made it late. When
    /// nothing else is runnable, the run is idle and no process is behind.
    /// </summary>
    private void ReportEarlyFire(TimeSpan horizon)
    {
        if (pending == 0 && !CoyoteOperations.OthersEnabled())
        {
            busy.Clear();
            return;
        }

        if (FiredEarly is not { } report || timers.NextDue is not { } due || due > horizon || due <= now)
        {
            return;
        }

        var behind = busy.Where(o => o.Alive && !o.Paused)
            .GroupBy(o => o.Process?.Name ?? o.Name, StringComparer.Ordinal)
            .OrderBy(g => g.Key, StringComparer.Ordinal);
        foreach (var process in behind)
        {
            report(new TimerFiredEarly(due, due - now, process.Count()), process.Key);
        }
    }

    /// <summary>
    /// Removes the completed operations from Coyote's map once it holds twice as many as were left the last time (so
    /// the tidying costs O(1) per operation created): Coyote walks the whole map at every scheduling point.
    /// </summary>
    private void Tidy()
    {
        if (CoyoteOperations.Count < tidyAt)
        {
            return;
        }

        ForgottenOperations += CoyoteOperations.ForgetCompleted();
        tidyAt = Math.Max(TidyFloor, 2 * CoyoteOperations.Count);
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
