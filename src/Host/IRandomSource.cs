namespace Sim.Stack.Host;

/// <summary>A deterministic stream of randomness owned by the run.</summary>
public interface IRandomSource
{
    /// <summary>A uniformly distributed 64-bit value.</summary>
    ulong NextUInt64();

    /// <summary>A value in [0, maxExclusive).</summary>
    int Next(int maxExclusive);

    /// <summary>A value in [0, 1).</summary>
    double NextDouble();

    void NextBytes(Span<byte> buffer);
}
