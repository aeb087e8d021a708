using Sim.Worlds;

namespace Sim.Engine;

/// <summary>The world's timers in due-time order (ties in creation order); cancelled ones are skipped.</summary>
public sealed class TimerQueue
{
    private readonly PriorityQueue<TimerHandle, (TimeSpan When, long Sequence)> timers = new();
    private long sequence;

    public int Count => timers.Count;

    /// <summary>When the next timer that was not cancelled is due, if any.</summary>
    public TimeSpan? NextDue
    {
        get
        {
            while (timers.TryPeek(out var next, out var key))
            {
                if (!next.Cancelled)
                {
                    return key.When;
                }

                timers.Dequeue();
            }

            return null;
        }
    }

    public TimerHandle Add(TimeSpan when, Action action)
    {
        var handle = new TimerHandle(when, action);
        timers.Enqueue(handle, (when, sequence++));
        return handle;
    }

    /// <summary>
    /// Fires every timer due at the earliest due time, after moving <paramref name="now"/> there. Returns
    /// false, leaving <paramref name="now"/> at the horizon or unchanged, if no timer is due by the horizon.
    /// </summary>
    public bool FireNext(ref TimeSpan now, TimeSpan horizon)
    {
        while (timers.TryPeek(out var next, out var key))
        {
            if (next.Cancelled)
            {
                timers.Dequeue();
                continue;
            }

            if (key.When > horizon)
            {
                now = horizon;
                return false;
            }

            now = key.When > now ? key.When : now;
            while (timers.TryPeek(out var timer, out var due) && due.When <= now)
            {
                timers.Dequeue();
                if (!timer.Cancelled)
                {
                    timer.Action();
                }
            }

            return true;
        }

        return false;
    }
}
