namespace Sim.Stack.Host;

/// <summary>Sockets, shaped like the real thing: bind, accept, dial with TLS options.</summary>
public interface INetwork
{
    /// <summary>Binds <paramref name="address"/>:<paramref name="port"/> on this machine.</summary>
    /// <exception cref="AddressInUseException">The port is already bound.</exception>
    /// <exception cref="AddressNotAvailableException">The machine does not own the address.</exception>
    IListener Listen(string address, int port, TlsServerOptions? tls = null);

    /// <summary>Connects to <paramref name="host"/> (a name or an address) and, with TLS options, handshakes.</summary>
    Task<IConnection> DialAsync(string host, int port, TlsClientOptions? tls = null, CancellationToken cancellationToken = default);
}

public interface IListener : IDisposable
{
    string Address { get; }

    int Port { get; }

    Task<IConnection> AcceptAsync(CancellationToken cancellationToken = default);
}

/// <summary>An ordered, reliable stream of frames between two processes.</summary>
public interface IConnection : IDisposable
{
    /// <summary>The peer's address:port.</summary>
    string Remote { get; }

    /// <summary>The peer's certificate when TLS authenticated it (server's for clients, client's for mTLS servers).</summary>
    PeerCertificate? PeerCertificate { get; }

    /// <summary>Whether the connection runs over TLS.</summary>
    bool IsSecure { get; }

    /// <summary>Sends one frame. Throws <see cref="ConnectionResetException"/> if the connection is broken.</summary>
    void Send(ReadOnlyMemory<byte> frame);

    /// <summary>The next frame, or null once the peer closed the connection in an orderly way.</summary>
    /// <exception cref="ConnectionResetException">The connection broke.</exception>
    Task<ReadOnlyMemory<byte>?> ReceiveAsync(CancellationToken cancellationToken = default);

    /// <summary>Fires once the connection is closed or broken, from either side.</summary>
    CancellationToken Closed { get; }
}
