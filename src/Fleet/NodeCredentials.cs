using System.Globalization;
using System.Text;
using Grpc.Core;
using Org.BouncyCastle.Crypto.Parameters;
using Org.BouncyCastle.Crypto.Signers;
using Sim.Stack.Host;

namespace Sim.Stack.Fleet;

/// <summary>
/// A node's identity: an Ed25519 key pair (deterministic signatures), and the metadata every Fleet call
/// carries — the public key, a timestamp and the signature over the timestamp.
/// </summary>
public sealed class NodeCredentials
{
    public const string PublicKeyHeader = "public-key-bin";
    public const string TimestampHeader = "timestamp";
    public const string SignatureHeader = "signature-bin";

    private readonly Ed25519PrivateKeyParameters privateKey;

    public NodeCredentials(ReadOnlySpan<byte> seed)
    {
        privateKey = new Ed25519PrivateKeyParameters(seed.ToArray());
        PublicKey = privateKey.GeneratePublicKey().GetEncoded();
    }

    public byte[] PublicKey { get; }

    /// <summary>A key pair from a deterministic stream.</summary>
    public static NodeCredentials Generate(IRandomSource random)
    {
        var seed = new byte[Ed25519PrivateKeyParameters.KeySize];
        random.NextBytes(seed);
        return new NodeCredentials(seed);
    }

    /// <summary>The authentication metadata for a call made at <paramref name="now"/> (the node's clock).</summary>
    public Metadata Sign(DateTime now) => SignTimestamp(now.Ticks.ToString(CultureInfo.InvariantCulture));

    /// <summary>Signs an arbitrary timestamp text (hostile nodes replay old ones).</summary>
    public Metadata SignTimestamp(string timestamp)
    {
        var signer = new Ed25519Signer();
        signer.Init(true, privateKey);
        var bytes = Encoding.UTF8.GetBytes(timestamp);
        signer.BlockUpdate(bytes, 0, bytes.Length);
        return new Metadata
        {
            { PublicKeyHeader, PublicKey },
            { TimestampHeader, timestamp },
            { SignatureHeader, signer.GenerateSignature() },
        };
    }

    /// <summary>Checks a signature over a timestamp with a public key.</summary>
    public static bool Verify(byte[] publicKey, string timestamp, byte[] signature)
    {
        if (publicKey.Length != Ed25519PublicKeyParameters.KeySize || signature.Length != Org.BouncyCastle.Math.EC.Rfc8032.Ed25519.SignatureSize)
        {
            return false;
        }

        var verifier = new Ed25519Signer();
        verifier.Init(false, new Ed25519PublicKeyParameters(publicKey));
        var bytes = Encoding.UTF8.GetBytes(timestamp);
        verifier.BlockUpdate(bytes, 0, bytes.Length);
        return verifier.VerifySignature(signature);
    }
}
