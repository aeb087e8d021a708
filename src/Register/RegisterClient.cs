using Grpc.Core;
using Sim.Stack.Host;
using Sim.Stack.Register.Contracts;
using Sim.Stack.Rpc;

namespace Sim.Stack.Register;

/// <summary>
/// What an application uses: writes go to the primary; reads go to the primary and fall back to the
/// backup when the primary cannot be reached. Every call carries a deadline.
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
        var reply = await primary.WriteAsync(new WriteRequest { Key = key, Value = value, Client = host.Name }, deadline: Deadline(), cancellationToken: cancellationToken);
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
            reply = await primary.ReadAsync(new ReadRequest { Key = key }, deadline: Deadline(), cancellationToken: cancellationToken);
        }
        catch (RpcException e) when (e.StatusCode is StatusCode.Unavailable or StatusCode.DeadlineExceeded)
        {
            reply = await backup.ReadAsync(new ReadRequest { Key = key }, deadline: Deadline(), cancellationToken: cancellationToken);
        }

        host.Log.Event(new ReadReturned(key, reply.Version, reply.Value, reply.ServedBy));
        return reply;
    }

    /// <summary>Streams every key under a prefix from the primary.</summary>
    public async Task<IReadOnlyList<ReadReply>> ScanAsync(string prefix, CancellationToken cancellationToken = default)
    {
        using var call = primary.Scan(new ScanRequest { Prefix = prefix }, deadline: Deadline(), cancellationToken: cancellationToken);
        var replies = new List<ReadReply>();
        while (await call.ResponseStream.MoveNext(cancellationToken))
        {
            replies.Add(call.ResponseStream.Current);
        }

        return replies;
    }

    private DateTime Deadline() => host.Clock.UtcNow + callTimeout;
}
