namespace Sim.Stack.Host;

/// <summary>The base of every failure the network seam reports.</summary>
public abstract class NetworkException(string message) : Exception(message);

/// <summary>Binding failed: another listener holds the port.</summary>
public sealed class AddressInUseException(string address, int port)
    : NetworkException($"address already in use: {address}:{port}");

/// <summary>Binding failed: the machine does not own the address.</summary>
public sealed class AddressNotAvailableException(string machine, string address)
    : NetworkException($"cannot assign requested address {address} on machine {machine}");

/// <summary>Dialing failed: nothing listens there, or the peer process is down.</summary>
public sealed class ConnectionRefusedException(string target)
    : NetworkException($"connection refused: {target}");

/// <summary>Dialing failed: the name does not resolve.</summary>
public sealed class HostNotFoundException(string host)
    : NetworkException($"name does not resolve: {host}");

/// <summary>Dialing failed: no route (partition) and the connect timed out.</summary>
public sealed class HostUnreachableException(string target)
    : NetworkException($"host unreachable (connect timed out): {target}");

/// <summary>An established connection broke.</summary>
public sealed class ConnectionResetException(string reason)
    : NetworkException($"connection reset: {reason}")
{
    public string Reason { get; } = reason;
}

/// <summary>Why a TLS handshake (or an established session) failed.</summary>
public enum TlsFailure
{
    /// <summary>The peer's certificate is past its NotAfter.</summary>
    CertificateExpired,

    /// <summary>The peer's certificate is before its NotBefore.</summary>
    CertificateNotYetValid,

    /// <summary>The server's certificate does not carry the name the client dialed.</summary>
    NameMismatch,

    /// <summary>The certificate was not issued (or not signed) by a trusted authority.</summary>
    UntrustedIssuer,

    /// <summary>The server requires a client certificate and none was sent.</summary>
    ClientCertificateRequired,

    /// <summary>The session outlived its lifetime and the stream was failed.</summary>
    SessionExpired,
}

/// <summary>A TLS handshake or session failure, typed by its cause.</summary>
public sealed class TlsHandshakeException(TlsFailure failure, string message)
    : NetworkException($"TLS {failure}: {message}")
{
    public TlsFailure Failure { get; } = failure;
}
