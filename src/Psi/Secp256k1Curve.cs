using System.Security.Cryptography;
using Org.BouncyCastle.Asn1.X9;
using Org.BouncyCastle.Crypto.EC;
using Org.BouncyCastle.Math;
using Sim.Stack.Host;

namespace Sim.Stack.Psi;

/// <summary>
/// secp256k1 (BouncyCastle's custom curve, with its GLV endomorphism): an item's point by try-and-increment (the first
/// SHA-256(counter ‖ item) that is the x-coordinate of a curve point, even y), masking by scalar multiplication,
/// points encoded compressed (33 bytes).
/// </summary>
public sealed class Secp256k1Curve : EcdhCurve
{
    public const string CurveName = "SECP256K1";

    private readonly X9ECParameters parameters = CustomNamedCurves.GetByName("secp256k1");

    public override string Name => CurveName;

    public override byte[] NewScalar(IRandomSource random)
    {
        var bytes = new byte[32];
        BigInteger scalar;
        do
        {
            random.NextBytes(bytes);
            scalar = new BigInteger(1, bytes).Mod(parameters.N);
        }
        while (scalar.SignValue == 0);

        return scalar.ToByteArrayUnsigned();
    }

    public override byte[] HashToPoint(ReadOnlySpan<byte> item)
    {
        var input = new byte[item.Length + 1];
        item.CopyTo(input.AsSpan(1));
        var encoded = new byte[33];
        encoded[0] = 0x02;
        for (var counter = 0; counter < 256; counter++)
        {
            input[0] = (byte)counter;
            SHA256.HashData(input, encoded.AsSpan(1));
            if (TryDecode(encoded) is { } point)
            {
                return point.GetEncoded(true);
            }
        }

        throw new InvalidOperationException("no curve point in 256 tries (probability 2^-256)");
    }

    public override byte[] Mask(byte[] scalar, byte[] point) =>
        parameters.Curve.DecodePoint(point).Multiply(new BigInteger(1, scalar)).Normalize().GetEncoded(true);

    private Org.BouncyCastle.Math.EC.ECPoint? TryDecode(byte[] encoded)
    {
        try
        {
            return parameters.Curve.DecodePoint(encoded);
        }
        catch (ArgumentException)
        {
            return null;
        }
    }
}
