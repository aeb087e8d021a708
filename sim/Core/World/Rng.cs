using Sim.Stack.Host;

namespace Sim.Worlds;

/// <summary>
/// xoshiro256** seeded through SplitMix64: the only source of randomness in a run. Each concern
/// (scheduling, faults, network, workload, each process) gets its own stream derived from the run's
/// seed and the stream's name, so changing one knob does not reshuffle the others.
/// </summary>
public class Rng : IRandomSource
{
    private ulong s0;
    private ulong s1;
    private ulong s2;
    private ulong s3;

    public Rng(ulong seed)
    {
        var x = seed;
        s0 = SplitMix(ref x);
        s1 = SplitMix(ref x);
        s2 = SplitMix(ref x);
        s3 = SplitMix(ref x);
    }

    /// <summary>The stream named <paramref name="name"/> of the run seeded with <paramref name="seed"/>.</summary>
    public static Rng Stream(ulong seed, string name) => new(seed ^ Fnv1a(name) * 0x9E3779B97F4A7C15UL);

    /// <summary>A stable 64-bit hash of a string (FNV-1a), the same on every machine and run.</summary>
    public static ulong Fnv1a(string text)
    {
        var hash = 0xcbf29ce484222325UL;
        foreach (var c in text)
        {
            hash = (hash ^ c) * 0x100000001b3UL;
        }

        return hash;
    }

    public virtual ulong NextUInt64()
    {
        var result = RotateLeft(s1 * 5, 7) * 9;
        var t = s1 << 17;
        s2 ^= s0;
        s3 ^= s1;
        s1 ^= s2;
        s0 ^= s3;
        s2 ^= t;
        s3 = RotateLeft(s3, 45);
        return result;
    }

    public virtual int Next(int maxExclusive)
    {
        if (maxExclusive <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(maxExclusive), maxExclusive, "must be positive");
        }

        return (int)((NextUInt64() >> 33) % (ulong)maxExclusive);
    }

    public virtual double NextDouble() => (NextUInt64() >> 11) * (1.0 / (1UL << 53));

    /// <summary>True with probability <paramref name="p"/>.</summary>
    public bool Chance(double p) => p > 0 && NextDouble() < p;

    /// <summary>A value in [min, max].</summary>
    public TimeSpan Between(TimeSpan min, TimeSpan max) =>
        max <= min ? min : min + TimeSpan.FromTicks((long)(NextDouble() * (max - min).Ticks));

    /// <summary>An exponentially distributed duration with the given mean.</summary>
    public TimeSpan Exponential(TimeSpan mean) =>
        TimeSpan.FromTicks((long)(-Math.Log(1.0 - NextDouble()) * mean.Ticks));

    public virtual void NextBytes(Span<byte> buffer)
    {
        for (var i = 0; i < buffer.Length; i++)
        {
            buffer[i] = (byte)NextUInt64();
        }
    }

    public T Pick<T>(IReadOnlyList<T> items) => items[Next(items.Count)];

    private static ulong SplitMix(ref ulong x)
    {
        x += 0x9E3779B97F4A7C15UL;
        var z = x;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    private static ulong RotateLeft(ulong x, int k) => (x << k) | (x >> (64 - k));
}
