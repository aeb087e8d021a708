using Sim.Stack.Host;

namespace Sim.Stack.Psi;

/// <summary>
/// The curve arithmetic of ECDH-PSI: hash an item to a point, and raise a point to a secret scalar. Raising is
/// commutative (a·(b·P) = b·(a·P)), which is what makes double-masked values comparable across parties.
/// </summary>
public abstract class EcdhCurve
{
    /// <summary>The curve's name as the handshake carries it (upstream's curve_type).</summary>
    public abstract string Name { get; }

    /// <summary>A secret scalar drawn from <paramref name="random"/> (the process's seeded stream).</summary>
    public abstract byte[] NewScalar(IRandomSource random);

    /// <summary>The item's point: a hash of its bytes mapped onto the curve.</summary>
    public abstract byte[] HashToPoint(ReadOnlySpan<byte> item);

    /// <summary>The point raised to the scalar, encoded.</summary>
    public abstract byte[] Mask(byte[] scalar, byte[] point);

    /// <summary>The curve named <paramref name="name"/> (X25519 or SECP256K1).</summary>
    /// <exception cref="ArgumentException">Not a curve this PSI knows.</exception>
    public static EcdhCurve Named(string name) => name switch
    {
        X25519Curve.CurveName => new X25519Curve(),
        Secp256k1Curve.CurveName => new Secp256k1Curve(),
        _ => throw new ArgumentException($"unknown curve '{name}' (known: {X25519Curve.CurveName}, {Secp256k1Curve.CurveName})"),
    };
}
