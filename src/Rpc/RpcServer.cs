using Google.Protobuf;
using Grpc.Core;
using Grpc.Core.Testing;
using Sim.Stack.Buggify;
using Sim.Stack.Host;
using Sim.Stack.Rpc.Wire;

namespace Sim.Stack.Rpc;

/// <summary>
/// Serves <see cref="ServerServiceDefinition"/>s over the host's network. Each call's handler receives a
/// real <see cref="ServerCallContext"/> (built with Grpc.Core.Testing) whose cancellation fires when the
/// client cancels, the deadline passes, the connection breaks or the process dies.
/// </summary>
public sealed class RpcServer : IDisposable
{
    private readonly IHost host;
    private readonly string address;
    private readonly int port;
    private readonly TlsServerOptions? tls;
    private readonly Dictionary<string, Func<ServerCall, Task>> handlers = new(StringComparer.Ordinal);
    private readonly HashSet<Session> open = [];
    private IListener? listener;
    private bool shutDown;

    public RpcServer(IHost host, string address, int port, TlsServerOptions? tls = null)
    {
        this.host = host;
        this.address = address;
        this.port = port;
        this.tls = tls;
    }

    /// <summary>Registers every method of a generated service definition.</summary>
    public RpcServer AddService(ServerServiceDefinition definition)
    {
        definition.BindService(new Binder(this));
        return this;
    }

    /// <summary>Binds the listener (throws the network's bind errors) and starts accepting.</summary>
    public void Start()
    {
        listener = host.Network.Listen(address, port, tls);
        var bound = listener;
        host.Spawn($"rpc-accept:{port}", async lifetime =>
        {
            while (!lifetime.IsCancellationRequested)
            {
                IConnection connection;
                try
                {
                    connection = await bound.AcceptAsync(lifetime);
                }
                catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException)
                {
                    // The process is stopping, or the server was disposed.
                    return;
                }

                host.Spawn($"rpc-conn:{connection.Remote}", token => ServeAsync(connection, token));
            }
        });
    }

    public void Dispose() => listener?.Dispose();

    /// <summary>
    /// Stops serving, as a real server's shutdown does: the listener closes and so does every connection it accepted,
    /// so a client's next call on an old connection fails (and redials) instead of reaching a server that is gone.
    /// </summary>
    public void Shutdown()
    {
        shutDown = true;
        listener?.Dispose();
        foreach (var session in open.ToList())
        {
            // Calls in flight send their replies first (a graceful shutdown drains them); no new call is started.
            session.Closing = true;
            if (session.Calls.Count == 0)
            {
                session.Connection.Dispose();
            }
        }
    }

    private async Task ServeAsync(IConnection connection, CancellationToken lifetime)
    {
        var session = new Session(connection);
        var calls = session.Calls;
        open.Add(session);
        using (connection)
        {
            while (await ReceiveAsync(connection, lifetime) is { } bytes)
            {
                var frame = FrameCodec.Decode(bytes);
                switch (frame.Kind)
                {
                    case FrameKind.Start when session.Closing:
                        // Closed after a reply (GOAWAY-like): a call that raced the close is never run; the client sees the connection end.
                        break;
                    case FrameKind.Start:
                        var cts = new CancellationTokenSource();
                        calls[frame.Stream] = cts;
                        _ = DispatchAsync(session, frame, cts);
                        break;
                    case FrameKind.Cancel:
                        if (calls.Remove(frame.Stream, out var cancelled))
                        {
                            cancelled.Cancel();
                        }

                        break;
                    default:
                        break;
                }
            }
        }

        open.Remove(session);
        foreach (var cts in calls.Values)
        {
            cts.Cancel();
        }
    }

    /// <summary>The next frame; null once the client closed the connection, it broke, or the process is stopping.</summary>
    private static async Task<ReadOnlyMemory<byte>?> ReceiveAsync(IConnection connection, CancellationToken lifetime)
    {
        try
        {
            return await connection.ReceiveAsync(lifetime);
        }
        catch (Exception e) when (e is NetworkException or OperationCanceledException)
        {
            return null;
        }
    }

    private async Task DispatchAsync(Session session, Frame start, CancellationTokenSource cts)
    {
        var (connection, calls) = (session.Connection, session.Calls);
        // Linked by hand: a linked source's Dispose waits for running callbacks, which deadlocks under Coyote.
        var onStop = host.Lifetime.Register(static c => ((CancellationTokenSource)c!).Cancel(), cts);
        var onClose = connection.Closed.Register(static c => ((CancellationTokenSource)c!).Cancel(), cts);
        var deadline = DateTime.MaxValue;
        // Disarmed when the call ends: a finished call holds no timer until its deadline.
        var deadlineTimer = new CancellationTokenSource();
        if (start.DeadlineTicks > 0)
        {
            // gRPC carries a timeout, not an instant: the server computes its own deadline on its own clock.
            var timeout = TimeSpan.FromTicks(start.DeadlineTicks);
            deadline = host.Clock.UtcNow + timeout;
            _ = CancelAtAsync(timeout, cts, deadlineTimer.Token);
        }

        host.Log.Event(new RpcAccepted(start.Method, start.Stream));
        ServerCall? holder = null;
        var call = new ServerCall(start, connection, MakeContext(start, connection, deadline, cts.Token, headers => holder!.SendHeaders(headers)), cts.Token);
        holder = call;
        if (!handlers.TryGetValue(start.Method, out var handler))
        {
            call.Finish(new Status(StatusCode.Unimplemented, $"Method is unimplemented: {start.Method}"));
        }
        else
        {
            // Once the call's deadline passed, gRPC's server answers DEADLINE_EXCEEDED whatever the handler makes of its
            // cancelled context afterwards (a handler relaying a call it forwarded, which the expiry cancelled, would
            // otherwise answer Cancelled, which reads as the caller's own doing).
            // Likewise a server shutting down cancels its calls as UNAVAILABLE (C-core's cancel-all-calls), whatever its
            // handlers make of their cancelled context: the caller did not cancel, and may retry elsewhere.
            Status Expired(Status status) =>
                status.StatusCode == StatusCode.OK ? status
                : host.Clock.UtcNow >= deadline ? new Status(StatusCode.DeadlineExceeded, "Deadline Exceeded")
                : status.StatusCode == StatusCode.Cancelled && host.Lifetime.IsCancellationRequested ? new Status(StatusCode.Unavailable, "Server shutting down: call cancelled")
                : status;
            try
            {
                await handler(call);
                call.Finish(Expired(call.Context.Status));
            }
            catch (RpcException e)
            {
                call.Finish(Expired(e.Status));
            }
            catch (OperationCanceledException) when (cts.IsCancellationRequested)
            {
                call.Finish(Expired(new Status(StatusCode.Cancelled, "Call cancelled")));
            }
            catch (Exception e)
            {
                host.Log.Event(new RpcHandlerThrew(start.Method, e.GetType().Name, e.Message));
                call.Finish(new Status(StatusCode.Unknown, "Exception was thrown by handler.", e));
            }
        }

        host.Log.Event(new RpcHandled(start.Method, start.Stream, call.FinalStatus));
        deadlineTimer.Cancel();
        calls.Remove(start.Stream);
        onStop.Unregister();
        onClose.Unregister();
        if (shutDown && calls.Count == 0)
        {
            // Shut down while this call ran: its reply is out, the connection closes now.
            connection.Dispose();
        }
        else if (call.FinalStatus == StatusCode.OK && calls.Count == 0 && !session.Closing && host.Buggify(BuggifyCatalogue.ServerClosesConnectionAfterReply))
        {
            // As a server enforcing a max connection age (or closing idle connections) does: the reply is out, nothing else is in flight.
            session.Closing = true;
            connection.Dispose();
        }
    }

    private async Task CancelAtAsync(TimeSpan timeout, CancellationTokenSource cts, CancellationToken disarmed)
    {
        try
        {
            await host.Clock.Delay(timeout, disarmed);
            cts.Cancel();
        }
        catch (OperationCanceledException)
        {
        }
    }

    private ServerCallContext MakeContext(Frame start, IConnection connection, DateTime deadline, CancellationToken token, Action<Metadata> writeHeaders)
    {
        var properties = new Dictionary<string, List<AuthProperty>>(StringComparer.Ordinal);
        string? identityProperty = null;
        properties["transport_security_type"] = [AuthProperty.Create("transport_security_type", connection.IsSecure ? "ssl"u8.ToArray() : "insecure"u8.ToArray())];
        if (connection.PeerCertificate is { } peer)
        {
            properties["x509_common_name"] = [AuthProperty.Create("x509_common_name", System.Text.Encoding.UTF8.GetBytes(peer.Subject))];
            properties["x509_subject_alternative_name"] = peer.DnsNames
                .Select(n => AuthProperty.Create("x509_subject_alternative_name", System.Text.Encoding.UTF8.GetBytes(n)))
                .ToList();
            identityProperty = "x509_common_name";
        }

        WriteOptions? writeOptions = null;
        return TestServerCallContext.Create(
            start.Method,
            $"{address}:{port}",
            deadline,
            FrameCodec.ToMetadata(start),
            token,
            $"ipv4:{connection.Remote}",
            new AuthContext(identityProperty, properties),
            null,
            headers =>
            {
                writeHeaders(headers);
                return Task.CompletedTask;
            },
            () => writeOptions,
            o => writeOptions = o);
    }

    /// <summary>One accepted connection: its calls in flight, and whether the server is closing it.</summary>
    private sealed class Session(IConnection connection)
    {
        public IConnection Connection { get; } = connection;

        public Dictionary<uint, CancellationTokenSource> Calls { get; } = [];

        public bool Closing { get; set; }
    }

    /// <summary>One call in progress on the server.</summary>
    private sealed class ServerCall(Frame start, IConnection connection, ServerCallContext context, CancellationToken token)
    {
        private bool finished;
        private bool headersSent;

        public StatusCode? FinalStatus { get; private set; }

        public Frame Start { get; } = start;

        public ServerCallContext Context { get; } = context;

        public CancellationToken Token { get; } = token;

        public void SendHeaders(Metadata headers)
        {
            if (headersSent)
            {
                throw new InvalidOperationException("Response headers can only be sent once per call.");
            }

            headersSent = true;
            var frame = new Frame { Stream = Start.Stream, Kind = FrameKind.Headers };
            FrameCodec.CopyHeaders(headers, frame);
            TrySend(frame);
        }

        public void SendMessage(byte[] payload)
        {
            if (Token.IsCancellationRequested)
            {
                throw new RpcException(new Status(StatusCode.Cancelled, "Call cancelled"));
            }

            headersSent = true;

            TrySend(new Frame { Stream = Start.Stream, Kind = FrameKind.Message, Payload = ByteString.CopyFrom(payload) });
        }

        public void Finish(Status status)
        {
            if (finished)
            {
                return;
            }

            finished = true;
            FinalStatus = status.StatusCode;
            var trailers = new Frame { Stream = Start.Stream, Kind = FrameKind.Trailers, StatusCode = (int)status.StatusCode, StatusDetail = status.Detail };
            FrameCodec.CopyHeaders(Context.ResponseTrailers, trailers);
            TrySend(trailers);
        }

        private void TrySend(Frame frame)
        {
            try
            {
                connection.Send(FrameCodec.Encode(frame));
            }
            catch (NetworkException)
            {
                // The client is gone; it will see the broken connection itself.
            }
        }
    }

    private sealed class StreamWriter<T>(ServerCall call, Marshaller<T> marshaller) : IServerStreamWriter<T>
    {
        public WriteOptions? WriteOptions { get; set; }

        public Task WriteAsync(T message)
        {
            call.SendMessage(Payload.Serialize(marshaller, message));
            return Task.CompletedTask;
        }
    }

    private sealed class Binder(RpcServer server) : ServiceBinderBase
    {
        public override void AddMethod<TRequest, TResponse>(Method<TRequest, TResponse> method, UnaryServerMethod<TRequest, TResponse>? handler)
        {
            ArgumentNullException.ThrowIfNull(handler);
            server.handlers[method.FullName] = async call =>
            {
                var request = Payload.Deserialize(method.RequestMarshaller, call.Start.Payload.Memory);
                var response = await handler(request, call.Context);
                if (server.host.Buggify(BuggifyCatalogue.HandlerYieldsBeforeReply))
                {
                    // The response is ready but everything else that can run (other calls, timers due now) goes first.
                    await server.host.Clock.Delay(TimeSpan.Zero, call.Token);
                }

                call.SendMessage(Payload.Serialize(method.ResponseMarshaller, response));
            };
        }

        public override void AddMethod<TRequest, TResponse>(Method<TRequest, TResponse> method, ServerStreamingServerMethod<TRequest, TResponse>? handler)
        {
            ArgumentNullException.ThrowIfNull(handler);
            server.handlers[method.FullName] = call =>
            {
                var request = Payload.Deserialize(method.RequestMarshaller, call.Start.Payload.Memory);
                return handler(request, new StreamWriter<TResponse>(call, method.ResponseMarshaller), call.Context);
            };
        }

        public override void AddMethod<TRequest, TResponse>(Method<TRequest, TResponse> method, ClientStreamingServerMethod<TRequest, TResponse>? handler) =>
            server.handlers[method.FullName] = call =>
            {
                call.Finish(new Status(StatusCode.Unimplemented, $"client streaming is not carried by the simulated transport: {method.FullName}"));
                return Task.CompletedTask;
            };

        public override void AddMethod<TRequest, TResponse>(Method<TRequest, TResponse> method, DuplexStreamingServerMethod<TRequest, TResponse>? handler) =>
            server.handlers[method.FullName] = call =>
            {
                call.Finish(new Status(StatusCode.Unimplemented, $"duplex streaming is not carried by the simulated transport: {method.FullName}"));
                return Task.CompletedTask;
            };
    }
}
