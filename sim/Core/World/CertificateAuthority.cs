using Org.BouncyCastle.Crypto.Parameters;
using Org.BouncyCastle.Crypto.Signers;
using Sim.Stack.Host;

namespace Sim.Worlds;

/// <summary>
/// A certificate authority of the modelled TLS world. Its Ed25519 key is derived from the run's seeded
/// stream (Ed25519 signing is deterministic), so certificates and signatures are the same on every replay.
/// </summary>
public sealed class CertificateAuthority
{
    private readonly Ed25519PrivateKeyParameters privateKey;
    private long nextSerial = 1;

    public CertificateAuthority(string name, Rng rng)
    {
        Name = name;
        var seed = new byte[Ed25519PrivateKeyParameters.KeySize];
        rng.NextBytes(seed);
        privateKey = new Ed25519PrivateKeyParameters(seed);
        PublicKey = privateKey.GeneratePublicKey().GetEncoded();
    }

    public string Name { get; }

    public byte[] PublicKey { get; }

    /// <summary>A trust store holding just this authority.</summary>
    public TrustStore Trust() => new(new Dictionary<string, byte[]>(StringComparer.Ordinal) { [Name] = PublicKey });

    /// <summary>Issues a certificate for <paramref name="subject"/> valid for <paramref name="dnsNames"/> over [notBefore, notAfter].</summary>
    public Certificate Issue(string subject, IReadOnlyList<string> dnsNames, DateTime notBefore, DateTime notAfter)
    {
        var unsigned = new Certificate(subject, dnsNames, Name, nextSerial++, notBefore, notAfter, []);
        var signer = new Ed25519Signer();
        signer.Init(true, privateKey);
        var tbs = unsigned.ToBeSigned();
        signer.BlockUpdate(tbs, 0, tbs.Length);
        return unsigned with { Signature = signer.GenerateSignature() };
    }

    /// <summary>Checks that <paramref name="certificate"/> was signed by an authority in <paramref name="trust"/>.</summary>
    public static bool Verify(Certificate certificate, TrustStore trust)
    {
        if (!trust.Authorities.TryGetValue(certificate.Issuer, out var key) || certificate.Signature.Length != Org.BouncyCastle.Math.EC.Rfc8032.Ed25519.SignatureSize)
        {
            return false;
        }

        var verifier = new Ed25519Signer();
        verifier.Init(false, new Ed25519PublicKeyParameters(key));
        var tbs = certificate.ToBeSigned();
        verifier.BlockUpdate(tbs, 0, tbs.Length);
        return verifier.VerifySignature(certificate.Signature);
    }
}
