namespace Sim.Scenarios;

/// <summary>
/// Moments noted by a checker, counted over a trailing window of virtual time: how many fell within
/// <paramref name="window"/> before a given moment (a pacing or backoff check's "how many in the last second").
/// </summary>
public sealed class TrailingWindow(TimeSpan window)
{
    private readonly Queue<TimeSpan> moments = new();

    /// <summary>Notes <paramref name="at"/> and returns how many noted moments lie within the window ending there.</summary>
    public int Add(TimeSpan at)
    {
        moments.Enqueue(at);
        return CountAt(at);
    }

    /// <summary>Notes <paramref name="at"/> without counting (the window is trimmed when counted).</summary>
    public void Note(TimeSpan at) => moments.Enqueue(at);

    /// <summary>How many noted moments lie within the window ending at <paramref name="now"/>.</summary>
    public int CountAt(TimeSpan now)
    {
        while (moments.Count > 0 && moments.Peek() <= now - window)
        {
            moments.Dequeue();
        }

        return moments.Count;
    }
}
