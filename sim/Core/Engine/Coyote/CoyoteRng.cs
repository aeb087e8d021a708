using Microsoft.Coyote.Random;
using Sim.Worlds;

namespace Sim.Engine.Coyote;

/// <summary>
/// A randomness stream whose every draw is a Coyote choice (<see cref="Generator"/>): latency, drops,
/// fault injection, workload seeds. The choices are part of Coyote's trace, so a replay makes them again.
/// </summary>
public sealed class CoyoteRng() : Rng(0)
{
    private const int Bits = 30;
    private readonly Generator generator = Generator.Create();

    public override ulong NextUInt64()
    {
        var a = (ulong)generator.NextInteger(1 << Bits);
        var b = (ulong)generator.NextInteger(1 << Bits);
        var c = (ulong)generator.NextInteger(1 << 4);
        return (a << 34) | (b << 4) | c;
    }

    public override int Next(int maxExclusive)
    {
        if (maxExclusive <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(maxExclusive), maxExclusive, "must be positive");
        }

        return generator.NextInteger(maxExclusive);
    }

    public override double NextDouble() => generator.NextInteger(1 << Bits) / (double)(1 << Bits);
}
