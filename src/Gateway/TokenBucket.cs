namespace Sim.Stack.Gateway;

/// <summary>
/// A token bucket in whole numbers: a token is <see cref="TimeSpan.TicksPerSecond"/> units and the bucket gains
/// <c>rate</c> units per tick, so refilling never rounds and two buckets fed the same instants agree exactly.
/// </summary>
public sealed class TokenBucket
{
    /// <summary>Units per token.</summary>
    public const long Token = TimeSpan.TicksPerSecond;

    private readonly long rate;
    private readonly long capacity;
    private long units;
    private TimeSpan last;

    /// <param name="rate">Tokens per second.</param>
    /// <param name="burst">Tokens the bucket holds when full (it starts full).</param>
    /// <param name="now">When it was made.</param>
    public TokenBucket(int rate, int burst, TimeSpan now)
    {
        this.rate = rate;
        capacity = burst * Token;
        units = capacity;
        last = now;
    }

    /// <summary>Takes one token at <paramref name="now"/> if the bucket holds one.</summary>
    public bool TryTake(TimeSpan now)
    {
        if (now > last)
        {
            units = Math.Min(capacity, units + ((now - last).Ticks * rate));
            last = now;
        }

        if (units < Token)
        {
            return false;
        }

        units -= Token;
        return true;
    }
}
