using System.Security.Cryptography;
using Org.BouncyCastle.Math.EC.Rfc7748;
using Sim.Stack.Host;

namespace Sim.Stack.Psi;

/// <summary>
/// Curve25519 in Montgomery form (RFC 7748), as SPU's ECDH-PSI uses it: an item's point is the SHA-256 of the item
/// taken as a u-coordinate, and masking is X25519 (clamped scalar multiplication on the curve or its twist, both
/// commutative), computed by BouncyCastle.
/// </summary>
public sealed class X25519Curve : EcdhCurve
{
    public const string CurveName = "X25519";

    public override string Name => CurveName;

    public override byte[] NewScalar(IRandomSource random)
    {
        var scalar = new byte[X25519.ScalarSize];
        random.NextBytes(scalar);
        return scalar;
    }

    public override byte[] HashToPoint(ReadOnlySpan<byte> item) => SHA256.HashData(item);

    public override byte[] Mask(byte[] scalar, byte[] point)
    {
        if (point.Length != X25519.PointSize)
        {
            throw new ArgumentException($"an X25519 point is {X25519.PointSize} bytes, not {point.Length}", nameof(point));
        }

        var result = new byte[X25519.PointSize];
        X25519.ScalarMult(scalar, 0, point, 0, result, 0);
        return result;
    }
}
