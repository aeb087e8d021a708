using System.Globalization;
using System.Text;
using Grpc.Core;
using Sim.Stack.Defects;
using Sim.Stack.Host;
using Sim.Stack.Register.Contracts;
using Sim.Stack.Rpc;

namespace Sim.Stack.Register;

/// <summary>
/// One replica of the primary/backup register. Its state is a map key → (version, value), kept in memory
/// and on the durable disk. Correct behaviour: the primary acknowledges a write only once it is flushed
/// locally and applied (and flushed) on the backup.
/// </summary>
public sealed class RegisterReplica : Contracts.Register.RegisterBase
{
    private const string KeyPrefix = "reg/";

    private readonly IHost host;
    private readonly RegisterOptions options;
    private readonly Dictionary<string, (long Version, string Value)> state = new(StringComparer.Ordinal);
    private readonly HashSet<string> dirty = new(StringComparer.Ordinal);
    private Contracts.Register.RegisterClient? backup;

    private RegisterReplica(IHost host, RegisterOptions options)
    {
        this.host = host;
        this.options = options;
    }

    /// <summary>The process entry point: recover from disk, serve, and (under the defect) flush in the background.</summary>
    public static Task RunAsync(IHost host, RegisterOptions options)
    {
        var replica = new RegisterReplica(host, options);
        replica.Recover();
        if (options.IsPrimary && options.BackupHost is { } backupHost)
        {
            replica.backup = new Contracts.Register.RegisterClient(new RpcChannel(host, backupHost, options.Port, options.BackupTls));
        }

        var server = new RpcServer(host, options.ListenAddress, options.Port, options.ServerTls);
        server.AddService(Contracts.Register.BindService(replica));
        server.Start();
        host.Log.Event(new ReplicaServing(options.IsPrimary, replica.state.Count));

        if (options.IsPrimary && options.Defects.IsOn(DefectCatalogue.AckBeforeFlush))
        {
            host.Spawn("register-background-flush", replica.BackgroundFlushAsync);
        }

        return Task.CompletedTask;
    }

    public override async Task<WriteReply> Write(WriteRequest request, ServerCallContext context)
    {
        if (!options.IsPrimary)
        {
            throw new RpcException(new Status(StatusCode.FailedPrecondition, "not the primary"));
        }

        var version = (state.TryGetValue(request.Key, out var current) ? current.Version : 0) + 1;
        Apply(request.Key, version, request.Value);

        if (options.Defects.IsOn(DefectCatalogue.AckBeforeFlush))
        {
            // The defect: acknowledge now; durability and replication happen later in the background.
            dirty.Add(request.Key);
            return new WriteReply { Version = version };
        }

        await host.Disk.FlushAsync(context.CancellationToken);
        await ReplicateAsync(request.Key, version, request.Value, context.CancellationToken);
        return new WriteReply { Version = version };
    }

    public override Task<ReadReply> Read(ReadRequest request, ServerCallContext context)
    {
        state.TryGetValue(request.Key, out var current);
        return Task.FromResult(new ReadReply { Key = request.Key, Value = current.Value ?? "", Version = current.Version, ServedBy = host.Name });
    }

    public override async Task<ReplicateReply> Replicate(ReplicateRequest request, ServerCallContext context)
    {
        if (!state.TryGetValue(request.Key, out var current) || current.Version < request.Version)
        {
            Apply(request.Key, request.Version, request.Value);
        }

        await host.Disk.FlushAsync(context.CancellationToken);
        return new ReplicateReply { Version = state[request.Key].Version };
    }

    public override async Task Scan(ScanRequest request, IServerStreamWriter<ReadReply> responseStream, ServerCallContext context)
    {
        foreach (var (key, (version, value)) in state.Where(kv => kv.Key.StartsWith(request.Prefix, StringComparison.Ordinal)).OrderBy(kv => kv.Key, StringComparer.Ordinal).ToList())
        {
            await responseStream.WriteAsync(new ReadReply { Key = key, Value = value, Version = version, ServedBy = host.Name });
        }
    }

    private async Task ReplicateAsync(string key, long version, string value, CancellationToken cancellationToken)
    {
        if (backup is null)
        {
            return;
        }

        var deadline = host.Clock.UtcNow + options.ReplicationTimeout;
        try
        {
            await backup.ReplicateAsync(new ReplicateRequest { Key = key, Version = version, Value = value }, deadline: deadline, cancellationToken: cancellationToken);
        }
        catch (RpcException e)
        {
            host.Log.Event(new ReplicationFailed(key, version, e.Status.StatusCode, e.Status.Detail));
            throw new RpcException(new Status(StatusCode.Unavailable, $"backup did not confirm version {version} of {key}: {e.Status.Detail}"));
        }
    }

    private async Task BackgroundFlushAsync(CancellationToken lifetime)
    {
        while (!lifetime.IsCancellationRequested)
        {
            await host.Clock.Delay(options.BackgroundFlushInterval, lifetime);
            if (dirty.Count == 0)
            {
                continue;
            }

            var keys = dirty.Order(StringComparer.Ordinal).ToList();
            dirty.Clear();
            await host.Disk.FlushAsync(lifetime);
            foreach (var key in keys)
            {
                var (version, value) = state[key];
                try
                {
                    await ReplicateAsync(key, version, value, lifetime);
                }
                catch (RpcException)
                {
                    dirty.Add(key);
                }
            }
        }
    }

    private void Apply(string key, long version, string value)
    {
        state[key] = (version, value);
        host.Disk.Write(KeyPrefix + key, Encoding.UTF8.GetBytes($"{version.ToString(CultureInfo.InvariantCulture)}|{value}"));
    }

    private void Recover()
    {
        foreach (var diskKey in host.Disk.Keys(KeyPrefix))
        {
            var text = Encoding.UTF8.GetString(host.Disk.Read(diskKey) ?? []);
            var bar = text.IndexOf('|', StringComparison.Ordinal);
            state[diskKey[KeyPrefix.Length..]] = (long.Parse(text[..bar], CultureInfo.InvariantCulture), text[(bar + 1)..]);
        }
    }
}
