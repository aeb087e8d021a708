using Grpc.Core;
using Sim.Stack.Host;
using Sim.Stack.Register.Contracts;
using Sim.Stack.Rpc;

namespace Sim.Stack.Register;

/// <summary>
/// What an application uses: writes go to the primary; reads go to the primary and fall back to the
/// backup when the primary cannot be reached. Every call carries a deadline. Every operation reports its
/// start and its one outcome as typed events, so a checker can account for each of them.
/// </summary>
public sealed class RegisterClient
{
    private readonly IHost host;
    private readonly Contracts.Register.RegisterClient primary;
    private readonly Contracts.Register.RegisterClient backup;
    private readonly TimeSpan callTimeout;

    public RegisterClient(IHost host, string primaryHost, string backupHost, int port, Func<string, TlsClientOptions?> tlsFor, TimeSpan callTimeout)
    {
        this.host = host;
        this.callTimeout = callTimeout;
        primary = new Contracts.Register.RegisterClient(new RpcChannel(host, primaryHost, port, tlsFor(primaryHost)));
        backup = new Contracts.Register.RegisterClient(new RpcChannel(host, backupHost, port, tlsFor(backupHost)));
    }

    /// <summary>Writes a value; returns its version once acknowledged, or throws <see cref="RpcException"/>.</summary>
    public async Task<long> WriteAsync(string key, string value, CancellationToken cancellationToken = default)
    {
        host.Log.Event(new WriteStarted(key, value));
        WriteReply reply;
        try
        {
            reply = await primary.WriteAsync(new WriteRequest { Key = key, Value = value, Client = host.Name }, deadline: Deadline(), cancellationToken: cancellationToken);
        }
        catch (RpcException e)
        {
            host.Log.Event(new WriteFailed(key, value, e.StatusCode, e.Status.Detail));
            throw;
        }

        host.Log.Event(new WriteAcknowledged(key, reply.Version, value));
        return reply.Version;
    }

    /// <summary>Reads a key from the primary, or from the backup if the primary is unavailable.</summary>
    public async Task<ReadReply> ReadAsync(string key, CancellationToken cancellationToken = default)
    {
        host.Log.Event(new ReadStarted(key));
        ReadReply reply;
        try
        {
            reply = await ReadOnceAsync(new ReadRequest { Key = key }, cancellationToken);
        }
        catch (RpcException e)
        {
            host.Log.Event(new ReadFailed(key, e.StatusCode, e.Status.Detail));
            throw;
        }

        host.Log.Event(new ReadReturned(key, reply.Version, reply.Value, reply.ServedBy));
        return reply;
    }

    /// <summary>Streams every key under a prefix from the primary, in key order.</summary>
    public async Task<IReadOnlyList<ReadReply>> ScanAsync(string prefix, CancellationToken cancellationToken = default)
    {
        host.Log.Event(new ScanStarted(prefix));
        var replies = new List<ReadReply>();
        try
        {
            using var call = primary.Scan(new ScanRequest { Prefix = prefix }, deadline: Deadline(), cancellationToken: cancellationToken);
            while (await call.ResponseStream.MoveNext(cancellationToken))
            {
                replies.Add(call.ResponseStream.Current);
            }
        }
        catch (RpcException e)
        {
            host.Log.Event(new ScanFailed(prefix, e.StatusCode, e.Status.Detail));
            throw;
        }

        host.Log.Event(new ScanReturned(prefix, [.. replies.Select(r => new RegisterEntry(r.Key, r.Version, r.Value))]));
        return replies;
    }

    private async Task<ReadReply> ReadOnceAsync(ReadRequest request, CancellationToken cancellationToken)
    {
        try
        {
            return await primary.ReadAsync(request, deadline: Deadline(), cancellationToken: cancellationToken);
        }
        catch (RpcException e) when (e.StatusCode is StatusCode.Unavailable or StatusCode.DeadlineExceeded)
        {
            return await backup.ReadAsync(request, deadline: Deadline(), cancellationToken: cancellationToken);
        }
    }

    private DateTime Deadline() => host.Clock.UtcNow + callTimeout;
}
