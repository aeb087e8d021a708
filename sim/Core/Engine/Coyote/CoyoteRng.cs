using Microsoft.Coyote.Random;
using Sim.Worlds;

namespace Sim.Engine.Coyote;

/// <summary>
/// A randomness stream whose every draw is a Coyote choice (<see cref="Generator"/>): latency, drops,
/// fault injection, workload seeds. The choices are part of Coyote's trace, so a replay makes them again.
/// Choices stay small (at most 2^10 values each): strategies such as Q-learning keep a value per possible
/// choice, and fractions finer than 1/1024 change nothing the world does.
/// </summary>
public sealed class CoyoteRng() : Rng(0)
{
    private const int Bits = 10;
    private const int Values = 1 << Bits;
    private readonly Generator generator = Generator.Create();

    public override ulong NextUInt64()
    {
        ulong value = 0;
        for (var i = 0; i < 64; i += Bits)
        {
            value = (value << Bits) | (uint)generator.NextInteger(Values);
        }

        return value;
    }

    public override int Next(int maxExclusive)
    {
        if (maxExclusive <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(maxExclusive), maxExclusive, "must be positive");
        }

        return maxExclusive <= Values ? generator.NextInteger(maxExclusive) : (int)(NextUInt64() % (ulong)maxExclusive);
    }

    public override double NextDouble() => (generator.NextInteger(Values) + 0.5) / Values;
}
