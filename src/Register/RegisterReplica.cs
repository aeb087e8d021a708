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
/// locally and applied (and flushed) on the backup; the backup takes replication only from the primary
/// (by its certificate) and never replaces a version with an older one, whatever order replications
/// arrive in (a retried or delayed one may arrive after a newer one).
/// </summary>
public sealed class RegisterReplica : Contracts.Register.RegisterBase
{
    private const string KeyPrefix = "reg/";
    private const string CertificateNames = "x509_subject_alternative_name";

    private readonly IHost host;
    private readonly RegisterOptions options;
    private readonly Dictionary<string, RegisterEntry> state = new(StringComparer.Ordinal);
    private readonly HashSet<string> dirty = new(StringComparer.Ordinal);
    private Contracts.Register.RegisterClient? backup;
    private bool commitScheduled;

    private RegisterReplica(IHost host, RegisterOptions options)
    {
        this.host = host;
        this.options = options;
    }

    public bool IsPrimary => options.IsPrimary;

    /// <summary>What this incarnation holds, by key (for checkers comparing it with their model).</summary>
    public IReadOnlyDictionary<string, RegisterEntry> Entries => state;

    /// <summary>The process entry point for a process that needs no handle on the replica.</summary>
    public static Task RunAsync(IHost host, RegisterOptions options)
    {
        Start(host, options);
        return Task.CompletedTask;
    }

    /// <summary>Starts a replica: recover from disk, serve, and (under the defect) flush in the background.</summary>
    public static RegisterReplica Start(IHost host, RegisterOptions options)
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

        return replica;
    }

    public override async Task<WriteReply> Write(WriteRequest request, ServerCallContext context)
    {
        if (!options.IsPrimary)
        {
            throw Refuse(context, StatusCode.FailedPrecondition, "not the primary");
        }

        var version = (state.TryGetValue(request.Key, out var current) ? current.Version : 0) + 1;
        Apply(request.Key, version, request.Value);
        host.Log.Event(new WriteApplied(request.Key, version, request.Value));

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
        var entry = state.GetValueOrDefault(request.Key) ?? new RegisterEntry(request.Key, 0, "");
        return Task.FromResult(Reply(entry));
    }

    public override async Task<ReplicateReply> Replicate(ReplicateRequest request, ServerCallContext context)
    {
        if (options.IsPrimary)
        {
            throw Refuse(context, StatusCode.FailedPrecondition, "not the backup");
        }

        if (!CallerIs(context, options.PrimaryName))
        {
            throw Refuse(context, StatusCode.PermissionDenied, $"only {options.PrimaryName} replicates to this backup");
        }

        var held = state.GetValueOrDefault(request.Key)?.Version ?? 0;
        var take = options.Defects.IsOn(DefectCatalogue.StaleReplicaOverwrite)
            ? held != request.Version // The defect: only duplicates are skipped; an older version replaces a newer one.
            : held < request.Version;
        if (take)
        {
            Apply(request.Key, request.Version, request.Value);
        }

        host.Log.Event(new ReplicaApplied(request.Key, request.Version, request.Value, take));
        if (options.Defects.IsOn(DefectCatalogue.BackupAcksBeforeFlush))
        {
            // The defect: confirm from the write-back buffer; a group commit makes it durable a little later.
            CommitSoon();
        }
        else
        {
            await host.Disk.FlushAsync(context.CancellationToken);
        }

        return new ReplicateReply { Version = state[request.Key].Version };
    }

    public override async Task Scan(ScanRequest request, IServerStreamWriter<ReadReply> responseStream, ServerCallContext context)
    {
        foreach (var entry in state.Values.Where(e => e.Key.StartsWith(request.Prefix, StringComparison.Ordinal)).OrderBy(e => e.Key, StringComparer.Ordinal).ToList())
        {
            await responseStream.WriteAsync(Reply(entry));
        }
    }

    private ReadReply Reply(RegisterEntry entry) => new() { Key = entry.Key, Value = entry.Value, Version = entry.Version, ServedBy = host.Name };

    /// <summary>Sends one write to the backup until it confirms, sending again when the connection broke under the call.</summary>
    private async Task ReplicateAsync(string key, long version, string value, CancellationToken cancellationToken)
    {
        if (backup is null)
        {
            return;
        }

        var deadline = host.Clock.UtcNow + options.ReplicationTimeout;
        var request = new ReplicateRequest { Key = key, Version = version, Value = value };
        while (true)
        {
            try
            {
                var reply = await backup.ReplicateAsync(request, deadline: deadline, cancellationToken: cancellationToken);
                if (reply.Version >= version)
                {
                    return;
                }

                throw new RpcException(new Status(StatusCode.DataLoss, $"the backup holds version {reply.Version}"));
            }
            catch (RpcException e) when (e.StatusCode == StatusCode.Unavailable && host.Clock.UtcNow + options.ReplicationRetryBackoff < deadline)
            {
                // The call may or may not have reached the backup: sending it again is safe, versions make it idempotent.
                await host.Clock.Delay(options.ReplicationRetryBackoff, cancellationToken);
            }
            catch (RpcException e)
            {
                host.Log.Event(new ReplicationFailed(key, version, e.StatusCode, e.Status.Detail));
                throw new RpcException(new Status(StatusCode.Unavailable, $"backup did not confirm version {version} of {key}: {e.Status.Detail}"));
            }
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
                var entry = state[key];
                try
                {
                    await ReplicateAsync(key, entry.Version, entry.Value, lifetime);
                }
                catch (RpcException)
                {
                    dirty.Add(key);
                }
            }
        }
    }

    /// <summary>Under <c>backup-acks-before-flush</c>: one flush for every replication confirmed in the next interval.</summary>
    private void CommitSoon()
    {
        if (commitScheduled)
        {
            return;
        }

        commitScheduled = true;
        host.Spawn("register-group-commit", async lifetime =>
        {
            await host.Clock.Delay(options.GroupCommitInterval, lifetime);
            commitScheduled = false;
            await host.Disk.FlushAsync(lifetime);
        });
    }

    private RpcException Refuse(ServerCallContext context, StatusCode status, string reason)
    {
        host.Log.Event(new RegisterCallRefused(context.Method, Caller(context), status, reason));
        return new RpcException(new Status(status, reason));
    }

    private static bool CallerIs(ServerCallContext context, string? name) =>
        context.AuthContext.FindPropertiesByName(CertificateNames).Any(p => string.Equals(p.Value, name, StringComparison.OrdinalIgnoreCase));

    private static string Caller(ServerCallContext context) =>
        string.Join(",", context.AuthContext.FindPropertiesByName(CertificateNames).Select(p => p.Value).DefaultIfEmpty(context.Peer));

    private void Apply(string key, long version, string value)
    {
        state[key] = new RegisterEntry(key, version, value);
        host.Disk.Write(KeyPrefix + key, Encoding.UTF8.GetBytes($"{version.ToString(CultureInfo.InvariantCulture)}|{value}"));
    }

    private void Recover()
    {
        foreach (var diskKey in host.Disk.Keys(KeyPrefix))
        {
            var text = Encoding.UTF8.GetString(host.Disk.Read(diskKey) ?? []);
            var bar = text.IndexOf('|', StringComparison.Ordinal);
            var key = diskKey[KeyPrefix.Length..];
            state[key] = new RegisterEntry(key, long.Parse(text[..bar], CultureInfo.InvariantCulture), text[(bar + 1)..]);
        }
    }
}
