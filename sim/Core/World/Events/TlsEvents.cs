using Sim.Stack.Host;

namespace Sim.Worlds;

/// <summary>A TLS handshake succeeded (its subject is the dialing process).</summary>
/// <param name="Server">The subject of the certificate the server presented.</param>
/// <param name="Client">The subject of the client's certificate (mTLS), if one was asked for.</param>
public sealed record TlsEstablished(long Connection, string Target, string? Server, string? Client) : SimEvent
{
    public override string Kind => "tls.handshake";

    public override string Details => $"conn={Connection} {Target} server={Server} client={Client ?? "-"}";
}

/// <summary>A TLS handshake failed with a typed cause (its subject is the dialing process).</summary>
public sealed record TlsHandshakeFailed(long Connection, string Target, TlsFailure Failure, string Message) : SimEvent
{
    public override string Kind => "tls.handshake-failed";

    public override string Details => $"conn={Connection} {Target}: {Failure}: {Message}";
}

/// <summary>A server on a TLS port got plaintext and closed the connection (its subject is the server).</summary>
public sealed record PlaintextRefused(long Connection, string Client) : SimEvent
{
    public override string Kind => "tls.handshake-failed";

    public override string Details => $"conn={Connection} plaintext client {Client} on a TLS port";
}

/// <summary>A certificate slot got a fresh certificate; new handshakes get it (its subject is the slot).</summary>
public sealed record CertificateRotated(long Serial, string Issuer, DateTime NotAfter) : SimEvent
{
    public override string Kind => "tls.rotate";

    public override string Details => $"serial={Serial} issuer={Issuer} not-after={NotAfter:O}";
}
