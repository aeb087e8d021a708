using Google.Protobuf;
using Grpc.Core;
using Sim.Stack.Cluster;
using Sim.Stack.Host;
using Sim.Stack.Psi.Contracts;
using Sim.Stack.Rpc;

namespace Sim.Stack.Psi;

/// <summary>
/// The sending half of a link (YACL's sender): pushes keyed messages to the peer's advertised address with mTLS (the
/// peer's name as server name), each push retried as upstream retries a connect (connect_retry_times tries,
/// connect_retry_interval_ms apart) while the peer is unavailable. A refusal (permission, session) is not retried.
/// </summary>
public sealed class LinkClient(IHost host, string party, string peer, string peerHost, int peerPort, LinkOptions options, TlsClientOptions tls)
{
    private readonly Link.LinkClient link = new(new RpcChannel(host, peerHost, peerPort, tls));

    /// <summary>Pushes one message.</summary>
    /// <exception cref="ActorFailure">Every try failed (<see cref="PsiErrors.Unreachable"/>) or the peer refused it (<see cref="PsiErrors.Protocol"/>).</exception>
    /// <param name="interrupted">Why to stop retrying (the peer's remote error arrived meanwhile), checked before every try.</param>
    public async Task PushAsync(string session, int attempt, string key, IMessage payload, CancellationToken cancellationToken, Func<Exception?>? interrupted = null)
    {
        var message = new LinkMessage { Session = session, Attempt = attempt, From = party, Key = key, Payload = payload.ToByteString() };
        RpcException? last = null;
        for (var attemptNo = 1; attemptNo <= options.ConnectRetryTimes; attemptNo++)
        {
            if (interrupted?.Invoke() is { } stop)
            {
                throw stop;
            }

            try
            {
                await link.PushAsync(message, deadline: host.Clock.UtcNow + options.PushTimeout, cancellationToken: cancellationToken);
                return;
            }
            catch (RpcException e) when (e.StatusCode is StatusCode.PermissionDenied or StatusCode.Unauthenticated or StatusCode.FailedPrecondition)
            {
                throw new ActorFailure(PsiErrors.Protocol, $"{peer}'s link refused '{key}': {e.StatusCode}: {e.Status.Detail}");
            }
            catch (RpcException) when (cancellationToken.IsCancellationRequested)
            {
                throw new OperationCanceledException(cancellationToken);
            }
            catch (RpcException e)
            {
                last = e;
                if (attemptNo < options.ConnectRetryTimes)
                {
                    await host.Clock.Delay(options.ConnectRetryInterval, cancellationToken);
                }
            }
        }

        cancellationToken.ThrowIfCancellationRequested();
        throw new ActorFailure(PsiErrors.Unreachable, $"{peer}'s link at {peerHost}:{peerPort} unreachable after {options.ConnectRetryTimes} tries: {last?.StatusCode}: {last?.Status.Detail}");
    }
}
