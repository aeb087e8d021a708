using Sim.Stack.Host;

namespace Sim.Worlds;

/// <summary>
/// The TLS handshake, modelled (no handshake bytes): chain of trust, validity windows against each side's
/// own (possibly skewed) clock, server-name verification and client certificates for mTLS.
/// </summary>
internal sealed class TlsModel(World world)
{
    /// <summary>Runs the handshake; returns the typed failure, or null and fills both ends' peer certificates.</summary>
    public TlsHandshakeException? Handshake(Connection connection, TlsClientOptions client, TlsServerOptions? server, Machine clientMachine, Machine serverMachine)
    {
        if (server is null)
        {
            return new TlsHandshakeException(TlsFailure.UntrustedIssuer, "the server does not speak TLS on this port (wrong version number)");
        }

        var certificate = server.Certificate();
        var clientNow = World.Epoch + world.Now + clientMachine.ClockSkew;
        if (!CertificateAuthority.Verify(certificate, client.Trust))
        {
            return new TlsHandshakeException(TlsFailure.UntrustedIssuer, $"certificate verify failed: {certificate} is not signed by a trusted authority");
        }

        if (Validity(certificate, clientNow) is { } invalid)
        {
            return invalid;
        }

        if (client.VerifyServerName && !Matches(certificate, client.ServerName))
        {
            return new TlsHandshakeException(TlsFailure.NameMismatch,
                $"certificate name mismatch: dialed '{client.ServerName}' but the certificate is for {string.Join(", ", certificate.DnsNames.DefaultIfEmpty(certificate.Subject))}");
        }

        if (server.ClientTrust is { } clientTrust)
        {
            if (client.ClientCertificate is not { } clientCertificate)
            {
                return new TlsHandshakeException(TlsFailure.ClientCertificateRequired, "the server requires a client certificate and none was sent");
            }

            if (!CertificateAuthority.Verify(clientCertificate, clientTrust))
            {
                return new TlsHandshakeException(TlsFailure.UntrustedIssuer, $"client certificate {clientCertificate} is not signed by an authority the server trusts");
            }

            var serverNow = World.Epoch + world.Now + serverMachine.ClockSkew;
            if (Validity(clientCertificate, serverNow) is { } clientInvalid)
            {
                return clientInvalid;
            }

            connection.Server.PeerCertificate = ToPeer(clientCertificate);
        }

        connection.Client.PeerCertificate = ToPeer(certificate);
        return null;
    }

    private static TlsHandshakeException? Validity(Certificate certificate, DateTime now)
    {
        if (now > certificate.NotAfter)
        {
            return new TlsHandshakeException(TlsFailure.CertificateExpired, $"certificate {certificate} expired at {certificate.NotAfter:O} (now {now:O})");
        }

        if (now < certificate.NotBefore)
        {
            return new TlsHandshakeException(TlsFailure.CertificateNotYetValid, $"certificate {certificate} is not valid before {certificate.NotBefore:O} (now {now:O})");
        }

        return null;
    }

    private static bool Matches(Certificate certificate, string name) =>
        certificate.DnsNames.Count == 0
            ? string.Equals(certificate.Subject, name, StringComparison.OrdinalIgnoreCase)
            : certificate.DnsNames.Any(n => string.Equals(n, name, StringComparison.OrdinalIgnoreCase)
                || (n.StartsWith("*.", StringComparison.Ordinal) && name.EndsWith(n[1..], StringComparison.OrdinalIgnoreCase) && !name[..^(n.Length - 1)].Contains('.', StringComparison.Ordinal)));

    private static PeerCertificate ToPeer(Certificate c) => new(c.Subject, c.DnsNames, c.Issuer, c.Serial);
}
