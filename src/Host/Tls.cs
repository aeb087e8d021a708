namespace Sim.Stack.Host;

/// <summary>A certificate in the modelled TLS world. Issued and signed by a certificate authority.</summary>
/// <param name="Subject">The subject common name.</param>
/// <param name="DnsNames">The names the certificate is valid for (subject alternative names).</param>
/// <param name="Issuer">The issuing authority's name.</param>
/// <param name="Serial">Serial number, unique per issuer.</param>
/// <param name="NotBefore">Start of validity (UTC, as the issuer's clock saw it).</param>
/// <param name="NotAfter">End of validity (UTC).</param>
/// <param name="Signature">The issuer's Ed25519 signature over the other fields.</param>
public sealed record Certificate(
    string Subject,
    IReadOnlyList<string> DnsNames,
    string Issuer,
    long Serial,
    DateTime NotBefore,
    DateTime NotAfter,
    byte[] Signature)
{
    /// <summary>The bytes the issuer signs: every field but the signature, in a fixed order.</summary>
    public byte[] ToBeSigned() => System.Text.Encoding.UTF8.GetBytes(
        $"{Subject}|{string.Join(',', DnsNames)}|{Issuer}|{Serial}|{NotBefore.Ticks}|{NotAfter.Ticks}");

    public override string ToString() => $"CN={Subject} serial={Serial} issuer={Issuer}";
}

/// <summary>What a peer proved about itself in the handshake.</summary>
public sealed record PeerCertificate(string Subject, IReadOnlyList<string> DnsNames, string Issuer, long Serial);

/// <summary>A set of trusted authorities (public keys by issuer name).</summary>
public sealed record TrustStore(IReadOnlyDictionary<string, byte[]> Authorities);

/// <summary>Client side of a TLS handshake.</summary>
/// <param name="ServerName">The name the client expects the server's certificate to carry (SNI + verification).</param>
/// <param name="Trust">The authorities the client trusts.</param>
/// <param name="ClientCertificate">The client's certificate for mTLS, if any.</param>
/// <param name="VerifyServerName">Whether the server name is checked (true unless a test turns it off).</param>
public sealed record TlsClientOptions(string ServerName, TrustStore Trust, Certificate? ClientCertificate = null, bool VerifyServerName = true);

/// <summary>Server side of a TLS handshake.</summary>
/// <param name="Certificate">The server's certificate. Read at every handshake, so rotation takes effect on new sessions.</param>
/// <param name="ClientTrust">When set, clients must present a certificate issued by one of these authorities (mTLS).</param>
/// <param name="SessionLifetime">How long a session lives before it must be renegotiated; null for forever.</param>
public sealed record TlsServerOptions(Func<Certificate> Certificate, TrustStore? ClientTrust = null, TimeSpan? SessionLifetime = null);
