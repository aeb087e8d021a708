using Sim.Stack.Host;

namespace Sim.Worlds;

/// <summary>One frame on the wire, numbered per direction so the receiver can restore order. A null payload is FIN.</summary>
internal sealed class Segment(long sequence, ReadOnlyMemory<byte>? payload)
{
    public long Sequence { get; } = sequence;

    public ReadOnlyMemory<byte>? Payload { get; } = payload;

    /// <summary>When this segment was first lost to a partition (for the keepalive bound).</summary>
    public TimeSpan? FirstLoss { get; set; }
}

/// <summary>A connection between a client endpoint and a server endpoint.</summary>
internal sealed class Connection
{
    private readonly Network network;

    public Connection(Network network, long id, Endpoint client, Endpoint server, bool tls, TimeSpan opened)
    {
        this.network = network;
        Id = id;
        Opened = opened;
        Client = client;
        Server = server;
        Tls = tls;
        client.Attach(this, server);
        server.Attach(this, client);
    }

    public long Id { get; }

    /// <summary>When it was established (virtual time).</summary>
    public TimeSpan Opened { get; }

    public Endpoint Client { get; }

    public Endpoint Server { get; }

    public bool Tls { get; }

    public bool IsOpen { get; private set; } = true;

    public bool Crosses(Machine a, Machine b) =>
        (Client.Process.Machine == a && Server.Process.Machine == b) || (Client.Process.Machine == b && Server.Process.Machine == a);

    /// <summary>Shows a frame leaving <paramref name="from"/> to the network's taps, once (retransmits are not shown again).</summary>
    public void Tapped(Endpoint from, byte[] frame) => network.Tapped(from.Process, (from == Client ? Server : Client).Process, frame);

    public void Transmit(Endpoint from, Segment segment) => network.Transmit(from, from == Client ? Server : Client, this, segment);

    public void Break(Func<Exception> error)
    {
        IsOpen = false;
        Client.Break(error());
        Server.Break(error());
    }

    public void HalfClosed()
    {
        if (Client.IsFinished && Server.IsFinished)
        {
            IsOpen = false;
            network.Closed(this);
        }
    }
}

/// <summary>One end of a connection, as the owning process sees it.</summary>
internal sealed class Endpoint(SimProcess process, ExecutionContextOwner owner, string localAddress) : IConnection
{
    private readonly WakeSignal signal = new(owner);
    private readonly Queue<ReadOnlyMemory<byte>?> inbox = new();
    private readonly SortedDictionary<long, Segment> outOfOrder = [];
    private readonly CancellationTokenSource closed = new();
    private Connection? connection;
    private Endpoint? peer;
    private Exception? failure;
    private long nextSend;
    private long expected;
    private bool finSent;
    private bool finReceived;

    public SimProcess Process { get; } = process;

    public ExecutionContextOwner Owner { get; } = owner;

    public string LocalAddress { get; } = localAddress;

    public string Remote => peer?.LocalAddress ?? "?";

    public PeerCertificate? PeerCertificate { get; set; }

    public bool IsSecure => connection?.Tls ?? false;

    public CancellationToken Closed => closed.Token;

    /// <summary>This end's owner closed it (sent FIN) or it broke: it holds nothing any more.</summary>
    public bool HasClosed => failure is not null || finSent;

    /// <summary>This end is done: broken, or closed in both directions.</summary>
    public bool IsFinished => failure is not null || (finSent && finReceived);

    public void Attach(Connection conn, Endpoint other)
    {
        connection = conn;
        peer = other;
    }

    public void Send(ReadOnlyMemory<byte> frame)
    {
        ThrowIfUnusable();
        var bytes = frame.ToArray();
        connection!.Tapped(this, bytes);
        connection.Transmit(this, new Segment(nextSend++, bytes));
    }

    public async Task<ReadOnlyMemory<byte>?> ReceiveAsync(CancellationToken cancellationToken = default)
    {
        while (true)
        {
            if (inbox.TryDequeue(out var frame))
            {
                if (frame is null)
                {
                    finReceived = true;
                    connection?.HalfClosed();
                }

                return frame;
            }

            if (failure is not null)
            {
                throw failure;
            }

            if (finReceived)
            {
                return null;
            }

            await signal.WaitAsync(cancellationToken);
        }
    }

    /// <summary>Takes a segment off the wire; false if it is a duplicate.</summary>
    public bool Accept(Segment segment)
    {
        if (segment.Sequence < expected || outOfOrder.ContainsKey(segment.Sequence))
        {
            return false;
        }

        outOfOrder[segment.Sequence] = segment;
        while (outOfOrder.Remove(expected, out var next))
        {
            expected++;
            inbox.Enqueue(next.Payload);
            if (next.Payload is null)
            {
                CancelClosed();
            }
        }

        Wake();
        return true;
    }

    public void Break(Exception error)
    {
        failure ??= error;
        CancelClosed();
        Wake();
    }

    /// <summary>Orderly close: the peer reads the frames already sent, then end of stream.</summary>
    public void Dispose()
    {
        if (failure is not null || finSent || connection is null || !connection.IsOpen)
        {
            return;
        }

        finSent = true;
        connection.Transmit(this, new Segment(nextSend++, null));
        CancelClosed();
        connection.HalfClosed();
    }

    private void ThrowIfUnusable()
    {
        if (failure is not null)
        {
            throw failure;
        }

        if (finSent)
        {
            throw new ConnectionResetException("send after close");
        }
    }

    /// <summary>
    /// Fires <see cref="Closed"/> as the owner's own step: callbacks registered on it are the owner's
    /// code, so they run when the owner runs — never if it was killed.
    /// </summary>
    private void CancelClosed()
    {
        if (!closed.IsCancellationRequested && Owner.Alive)
        {
            Owner.Run(closed.Cancel);
        }
    }

    private void Wake() => signal.Wake();
}

/// <summary>A bound port accepting connections.</summary>
internal sealed class SimListener(Network network, SimProcess process, ExecutionContextOwner owner, string address, int port, TlsServerOptions? tls) : IListener
{
    private readonly Queue<Endpoint> backlog = new();
    private readonly WakeSignal signal = new(owner);
    private bool failed;

    public SimProcess Process { get; } = process;

    public ExecutionContextOwner Owner { get; } = owner;

    public Machine Machine => Process.Machine;

    public string Address { get; } = address;

    public int Port { get; } = port;

    public TlsServerOptions? Tls { get; } = tls;

    public void Enqueue(Endpoint endpoint)
    {
        backlog.Enqueue(endpoint);
        Wake();
    }

    public async Task<IConnection> AcceptAsync(CancellationToken cancellationToken = default)
    {
        while (true)
        {
            if (backlog.TryDequeue(out var endpoint))
            {
                return endpoint;
            }

            if (failed)
            {
                throw new ObjectDisposedException($"listener {Address}:{Port}");
            }

            await signal.WaitAsync(cancellationToken);
        }
    }

    public void Fail()
    {
        failed = true;
        Wake();
    }

    public void Dispose() => network.Unlisten(this);

    private void Wake() => signal.Wake();
}

/// <summary>The network as one process incarnation sees it.</summary>
internal sealed class ProcessNetwork(Network network, SimProcess process, ExecutionContextOwner owner) : INetwork
{
    public IListener Listen(string address, int port, TlsServerOptions? tls = null) => network.Listen(process, owner, address, port, tls);

    public Task<IConnection> DialAsync(string host, int port, TlsClientOptions? tls = null, CancellationToken cancellationToken = default) =>
        network.DialAsync(process, owner, host, port, tls, cancellationToken);
}
