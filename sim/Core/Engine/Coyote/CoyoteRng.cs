using Sim.Worlds;

namespace Sim.Engine.Coyote;

/// <summary>
/// A randomness stream whose every draw is a Coyote choice (<see cref="CoyoteRuntime.Choose"/>): latency,
/// drops, fault injection, workload seeds. The choices are part of Coyote's trace, so a replay makes them
/// again. Each choice is small (2^<c>bits</c> values): strategies such as Q-learning keep a value per
/// possible choice. A fraction is drawn from two choices, so its resolution is 2^-(2·bits).
/// </summary>
public sealed class CoyoteRng(CoyoteRuntime runtime, int bits = 8) : Rng(0)
{
    private readonly int values = 1 << bits;

    public override ulong NextUInt64()
    {
        ulong value = 0;
        for (var i = 0; i < 64; i += bits)
        {
            value = (value << bits) | (uint)runtime.Choose(values);
        }

        return value;
    }

    public override int Next(int maxExclusive)
    {
        if (maxExclusive <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(maxExclusive), maxExclusive, "must be positive");
        }

        return maxExclusive <= values ? runtime.Choose(maxExclusive) : (int)(NextUInt64() % (ulong)maxExclusive);
    }

    public override double NextDouble() =>
        ((runtime.Choose(values) * (double)values) + runtime.Choose(values) + 0.5) / ((double)values * values);
}
