using Google.Protobuf;
using Grpc.Core;
using Sim.Stack.Cluster;
using Sim.Stack.Host;
using Sim.Stack.Psi.Contracts;
using Sim.Stack.Rpc;

namespace Sim.Stack.Psi;

/// <summary>
/// The receiving half of a PSI actor's link (YACL's receiver loop): a Link server on which only the peer party may push
/// (its certificate, or the own party's proxy forwarding the peer's), an inbox of messages by key for this session and
/// attempt, and receives that wait at most the receive timeout. A remote error ends every wait at once; a message of a
/// later attempt means the peer has moved on.
/// </summary>
public sealed class LinkEndpoint : Link.LinkBase, IDisposable
{
    public const string ErrorKey = "error";

    private readonly IHost host;
    private readonly PsiTask task;
    private readonly Dictionary<string, ByteString> inbox = new(StringComparer.Ordinal);
    private readonly ChangeSignal arrived = new();
    private RpcServer? server;
    private RemoteError? error;
    private int laterAttempt;

    private LinkEndpoint(IHost host, PsiTask task)
    {
        this.host = host;
        this.task = task;
    }

    /// <summary>Binds the link server on <paramref name="address"/>:the task's link port.</summary>
    /// <exception cref="NetworkException">The bind failed (the address is not this machine's, or the port is taken).</exception>
    public static LinkEndpoint Bind(IHost host, PsiTask task, string address, TlsServerOptions tls)
    {
        var endpoint = new LinkEndpoint(host, task);
        var server = new RpcServer(host, address, task.LinkPort, tls);
        server.AddService(Link.BindService(endpoint));
        server.Start();
        endpoint.server = server;
        return endpoint;
    }

    public void Dispose() => server?.Shutdown();

    public override Task<PushAck> Push(LinkMessage request, ServerCallContext context)
    {
        var caller = context.AuthContext.FindPropertiesByName("x509_common_name").FirstOrDefault()?.Value;
        var speaksFor = caller == task.Party ? context.RequestHeaders.GetValue(ForwardingProxy.ForwardedClientHeader) : caller;
        if (speaksFor != task.Peer || request.From != task.Peer)
        {
            var reason = $"only {task.Peer} pushes to {task.Party}'s link";
            host.Log.Event(new LinkPushRefused(task.Party, speaksFor ?? caller ?? "anonymous", request.From, reason));
            throw new RpcException(new Status(StatusCode.PermissionDenied, reason));
        }

        if (request.Session != task.Session)
        {
            throw new RpcException(new Status(StatusCode.FailedPrecondition, $"session {request.Session} is not {task.Party}'s session {task.Session}"));
        }

        if (request.Attempt > task.Attempt)
        {
            laterAttempt = Math.Max(laterAttempt, request.Attempt);
            arrived.Signal();
            // Not acknowledged: the sender retries until this party's own later attempt binds the link (else its hello is lost here).
            throw new RpcException(new Status(StatusCode.Unavailable, $"{task.Party}'s link is still attempt {task.Attempt}; attempt {request.Attempt} is not up yet"));
        }
        else if (request.Attempt == task.Attempt && request.Key == ErrorKey && error is null)
        {
            error = RemoteError.Parser.ParseFrom(request.Payload);
            host.Log.Event(new RemoteErrorReceived(task.Party, task.Attempt, error.Party, error.Machine, error.Kind, error.Cause, error.Final));
            arrived.Signal();
        }
        else if (request.Attempt == task.Attempt)
        {
            inbox[request.Key] = request.Payload;
            arrived.Signal();
        }

        // A push of an earlier attempt is acknowledged and dropped: that attempt is over here.
        return Task.FromResult(new PushAck());
    }

    /// <summary>Whether the peer's message under <paramref name="key"/> has arrived and not been taken.</summary>
    public bool Holds(string key) => inbox.ContainsKey(key);

    /// <summary>Why this attempt is over from the peer's side (its remote error, or a later attempt of its); null while it is not.</summary>
    public Exception? Interruption() =>
        error is { } e ? new FedRemoteError(e.Party, e.Machine, e.Kind, e.Cause) { Final = e.Final }
        : laterAttempt > 0 ? new ActorFailure(PsiErrors.PeerMovedOn, $"{task.Peer} started attempt {laterAttempt} while {task.Party} was in attempt {task.Attempt}")
        : null;

    /// <summary>The peer's message under <paramref name="key"/>, waiting at most the receive timeout.</summary>
    /// <exception cref="FedRemoteError">The peer reported its failure.</exception>
    /// <exception cref="ActorFailure">The receive timed out, or the peer moved on to a later attempt.</exception>
    public async Task<ByteString> ReceiveAsync(string key, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var until = host.Clock.Elapsed + timeout;
        while (true)
        {
            if (error is not null)
            {
                throw Interruption()!;
            }

            if (inbox.Remove(key, out var payload))
            {
                return payload;
            }

            if (Interruption() is { } moved)
            {
                throw moved;
            }

            var left = until - host.Clock.Elapsed;
            if (left <= TimeSpan.Zero)
            {
                throw new ActorFailure(PsiErrors.Timeout, $"no '{key}' from {task.Peer} within the receive timeout ({timeout.TotalSeconds:F1} s)");
            }

            await arrived.WaitAsync(host, left, cancellationToken);
        }
    }
}
