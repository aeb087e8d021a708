using Google.Protobuf;
using Grpc.Core;
using Sim.Stack.Host;
using Sim.Stack.Rpc.Wire;

namespace Sim.Stack.Rpc;

/// <summary>
/// A gRPC channel over the host's network: generated clients take it as their <see cref="CallInvoker"/>.
/// Like a real channel it holds one connection, dials lazily, and after a failure redials on the next call.
/// Calls in flight on a connection that breaks fail with <see cref="StatusCode.Unavailable"/>.
/// </summary>
public sealed class RpcChannel : CallInvoker
{
    private readonly IHost host;
    private readonly string target;
    private readonly int port;
    private readonly TlsClientOptions? tls;
    private readonly Dictionary<uint, ClientCall> calls = [];
    private Task<IConnection>? connecting;
    private IConnection? connection;
    private uint nextStream = 1;

    public RpcChannel(IHost host, string target, int port, TlsClientOptions? tls = null)
    {
        this.host = host;
        this.target = target;
        this.port = port;
        this.tls = tls;
    }

    public string Target => $"{target}:{port}";

    public override TResponse BlockingUnaryCall<TRequest, TResponse>(Method<TRequest, TResponse> method, string? host, CallOptions options, TRequest request) =>
        throw new NotSupportedException("Blocking calls would stall the simulated process: use the Async method.");

    public override AsyncUnaryCall<TResponse> AsyncUnaryCall<TRequest, TResponse>(Method<TRequest, TResponse> method, string? host, CallOptions options, TRequest request)
    {
        var call = new ClientCall(this, method.FullName, options);
        var response = UnaryAsync(call, method, request);
        return new AsyncUnaryCall<TResponse>(response, call.Headers.Task, call.GetStatus, call.GetTrailers, call.Dispose);
    }

    public override AsyncServerStreamingCall<TResponse> AsyncServerStreamingCall<TRequest, TResponse>(Method<TRequest, TResponse> method, string? host, CallOptions options, TRequest request)
    {
        var call = new ClientCall(this, method.FullName, options);
        _ = call.StartAsync(Payload.Serialize(method.RequestMarshaller, request));
        return new AsyncServerStreamingCall<TResponse>(new StreamReader<TResponse>(call, method.ResponseMarshaller), call.Headers.Task, call.GetStatus, call.GetTrailers, call.Dispose);
    }

    public override AsyncClientStreamingCall<TRequest, TResponse> AsyncClientStreamingCall<TRequest, TResponse>(Method<TRequest, TResponse> method, string? host, CallOptions options) =>
        throw new NotSupportedException("Client streaming is not carried by the simulated transport.");

    public override AsyncDuplexStreamingCall<TRequest, TResponse> AsyncDuplexStreamingCall<TRequest, TResponse>(Method<TRequest, TResponse> method, string? host, CallOptions options) =>
        throw new NotSupportedException("Duplex streaming is not carried by the simulated transport.");

    private static async Task<TResponse> UnaryAsync<TRequest, TResponse>(ClientCall call, Method<TRequest, TResponse> method, TRequest request)
    {
        // Not awaited: a dial in progress cannot be cancelled, but the call's deadline and token must still end the call
        // (gRPC fails a call at its deadline whatever the channel's state); the start gives up once the call has ended.
        _ = call.StartAsync(Payload.Serialize(method.RequestMarshaller, request));
        var payload = await call.NextMessageAsync() ?? throw new RpcException(call.GetStatus());
        var response = Payload.Deserialize(method.ResponseMarshaller, payload);
        var status = await call.Completion.Task;
        if (status.StatusCode != StatusCode.OK)
        {
            throw new RpcException(status, call.GetTrailers());
        }

        return response;
    }

    private async Task<IConnection> ConnectAsync()
    {
        if (connection is { Closed.IsCancellationRequested: false })
        {
            return connection;
        }

        // One dial at a time: every caller waits for the dial in progress, and only a caller of that dial clears it (a
        // caller resuming late must not clear a newer dial, or two connections would be dialed at once and one left open).
        var dial = connecting ??= DialAsync();
        try
        {
            return await dial;
        }
        finally
        {
            if (ReferenceEquals(connecting, dial))
            {
                connecting = null;
            }
        }
    }

    private async Task<IConnection> DialAsync()
    {
        // Not cancelled by a graceful stop: a stopping process still says goodbye (DeleteNode); a kill drops the dial anyway.
        var dialed = await host.Network.DialAsync(target, port, tls, CancellationToken.None);
        connection = dialed;
        host.Spawn($"rpc-client:{Target}", _ => ReceiveLoopAsync(dialed));
        return dialed;
    }

    /// <summary>
    /// Reads replies until the connection ends. Not tied to the process's lifetime: during a graceful stop the calls
    /// in flight (and those the stopping code still makes) get their replies until the process is killed, which
    /// ends this loop with it. Each call's own token and deadline cancel that call.
    /// </summary>
    private async Task ReceiveLoopAsync(IConnection conn)
    {
        Exception? failure = null;
        try
        {
            while (await conn.ReceiveAsync() is { } bytes)
            {
                var frame = FrameCodec.Decode(bytes);
                if (calls.TryGetValue(frame.Stream, out var call))
                {
                    call.OnFrame(frame);
                }
            }
        }
        catch (Exception e) when (e is NetworkException or OperationCanceledException)
        {
            failure = e;
        }

        if (ReferenceEquals(connection, conn))
        {
            connection = null;
        }

        // The peer closed (or the connection broke): close our side too, as a socket does on end of stream.
        conn.Dispose();

        foreach (var call in calls.Values.Where(c => ReferenceEquals(c.Connection, conn)).ToList())
        {
            call.Fail(new Status(StatusCode.Unavailable, failure?.Message ?? "connection closed by peer", failure));
        }
    }

    /// <summary>One call in progress on the client.</summary>
    private sealed class ClientCall(RpcChannel channel, string method, CallOptions options) : IDisposable
    {
        private readonly Queue<byte[]> messages = new();
        private readonly TimeSpan started = channel.host.Clock.Elapsed;
        private TaskCompletionSource<bool>? messageWaiter;
        private Status? status;
        private Metadata trailers = [];
        private uint stream;
        private CancellationTokenRegistration cancelRegistration;
        private CancellationTokenSource? deadlineCts;

        public IConnection? Connection { get; private set; }

        public TaskCompletionSource<Metadata> Headers { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public TaskCompletionSource<Status> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public async Task StartAsync(byte[] request)
        {
            if (options.CancellationToken.IsCancellationRequested)
            {
                Fail(new Status(StatusCode.Cancelled, "Cancelled before the call started"));
                return;
            }

            TimeSpan? timeout = null;
            if (options.Deadline is { } deadline && deadline != DateTime.MaxValue)
            {
                timeout = deadline - channel.host.Clock.UtcNow;
                if (timeout <= TimeSpan.Zero)
                {
                    Fail(new Status(StatusCode.DeadlineExceeded, "Deadline Exceeded"));
                    return;
                }

                deadlineCts = new CancellationTokenSource();
                _ = ExpireAsync(timeout.Value, deadlineCts.Token);
            }

            cancelRegistration = options.CancellationToken.Register(() => Cancel(new Status(StatusCode.Cancelled, "Cancelled")));

            IConnection conn;
            try
            {
                conn = await channel.ConnectAsync();
            }
            catch (NetworkException e)
            {
                Fail(new Status(StatusCode.Unavailable, e.Message, e));
                return;
            }
            catch (OperationCanceledException e)
            {
                Fail(new Status(StatusCode.Cancelled, "process stopping", e));
                return;
            }

            if (status is not null)
            {
                return;
            }

            Connection = conn;
            stream = channel.nextStream;
            channel.nextStream += 2;
            channel.calls[stream] = this;
            var start = new Frame
            {
                Stream = stream,
                Kind = FrameKind.Start,
                Method = method,
                DeadlineTicks = timeout?.Ticks ?? 0,
                Payload = ByteString.CopyFrom(request),
            };
            FrameCodec.CopyHeaders(options.Headers, start);
            try
            {
                conn.Send(FrameCodec.Encode(start));
            }
            catch (NetworkException e)
            {
                Fail(new Status(StatusCode.Unavailable, e.Message, e));
            }
        }

        public void OnFrame(Frame frame)
        {
            switch (frame.Kind)
            {
                case FrameKind.Headers:
                    Headers.TrySetResult(FrameCodec.ToMetadata(frame));
                    break;
                case FrameKind.Message:
                    Headers.TrySetResult([]);
                    messages.Enqueue(frame.Payload.ToByteArray());
                    Wake();
                    break;
                case FrameKind.Trailers:
                    trailers = FrameCodec.ToMetadata(frame);
                    Finish(new Status((StatusCode)frame.StatusCode, frame.StatusDetail));
                    break;
                default:
                    break;
            }
        }

        /// <summary>The next response message, or null when the call ended (see the status).</summary>
        public async Task<byte[]?> NextMessageAsync()
        {
            while (true)
            {
                if (messages.TryDequeue(out var message))
                {
                    return message;
                }

                if (status is not null)
                {
                    return null;
                }

                messageWaiter = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
                await messageWaiter.Task;
            }
        }

        public Status GetStatus() => status ?? throw new InvalidOperationException("Status can only be accessed once the call has finished.");

        public Metadata GetTrailers() => trailers;

        public void Fail(Status failure)
        {
            messages.Clear();
            Finish(failure);
        }

        public void Dispose()
        {
            if (status is null)
            {
                Cancel(new Status(StatusCode.Cancelled, "Call disposed"));
            }
        }

        private void Cancel(Status cancelled)
        {
            if (status is not null)
            {
                return;
            }

            if (Connection is { } conn)
            {
                try
                {
                    conn.Send(FrameCodec.Encode(new Frame { Stream = stream, Kind = FrameKind.Cancel }));
                }
                catch (NetworkException)
                {
                }
            }

            Fail(cancelled);
        }

        private async Task ExpireAsync(TimeSpan timeout, CancellationToken token)
        {
            try
            {
                await channel.host.Clock.Delay(timeout, token);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            Cancel(new Status(StatusCode.DeadlineExceeded, "Deadline Exceeded"));
        }

        private void Finish(Status final)
        {
            if (status is not null)
            {
                return;
            }

            status = final;
            channel.host.Log.Event(new RpcCompleted(method, channel.Target, final.StatusCode, final.Detail) { Started = started });
            channel.calls.Remove(stream);
            cancelRegistration.Unregister();
            deadlineCts?.Cancel();
            Headers.TrySetResult([]);
            Completion.TrySetResult(final);
            Wake();
        }

        private void Wake()
        {
            var waiter = messageWaiter;
            messageWaiter = null;
            waiter?.TrySetResult(true);
        }
    }

    private sealed class StreamReader<T>(ClientCall call, Marshaller<T> marshaller) : IAsyncStreamReader<T>
    {
        private T? current;

        public T Current => current ?? throw new InvalidOperationException("MoveNext has not returned true.");

        public async Task<bool> MoveNext(CancellationToken cancellationToken)
        {
            var payload = await call.NextMessageAsync();
            if (payload is not null)
            {
                current = Payload.Deserialize(marshaller, payload);
                return true;
            }

            var status = call.GetStatus();
            if (status.StatusCode != StatusCode.OK)
            {
                throw new RpcException(status, call.GetTrailers());
            }

            return false;
        }
    }
}
