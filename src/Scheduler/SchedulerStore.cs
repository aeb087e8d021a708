using Google.Protobuf;
using Grpc.Core;
using Sim.Stack.Defects;
using Sim.Stack.Host;
using Sim.Stack.Rpc;
using Sim.Stack.Scheduler.Contracts;

namespace Sim.Stack.Scheduler;

/// <summary>
/// The party's store (the Kubernetes API server over etcd, in Kuscia): keyed objects, each stamped with the store
/// revision of its last write; compare-and-swap writes; watches that replay every change after a revision; and
/// fencing: a write to a leader's prefix must carry the epoch and holder of the current lease, so a leader deposed
/// while paused or cut off cannot write once a newer lease was granted. Writes are serialised and acknowledged only
/// once flushed; nothing is visible (to reads, watches or compare-and-swap) before it is durable, so a restart from
/// disk loses no acknowledged or observed write.
/// </summary>
public sealed class SchedulerStore : Store.StoreBase
{
    private const string DiskPrefix = "obj/";

    /// <summary>How long a watch waits for a change before it looks again whether its caller is still there.</summary>
    private static readonly TimeSpan WatchPoll = TimeSpan.FromSeconds(1);

    private readonly IHost host;
    private readonly StoreOptions options;
    private readonly Dictionary<string, StoredObject> objects = new(StringComparer.Ordinal);
    private readonly List<(string Prefix, Queue<StoredObject> Queue, ChangeSignal Signal)> watchers = [];
    private Task writeTail = Task.CompletedTask;
    private LeaseRecord? lease;

    private SchedulerStore(IHost host, StoreOptions options)
    {
        this.host = host;
        this.options = options;
    }

    /// <summary>The store's revision: the version of its latest durable write.</summary>
    public long Revision { get; private set; }

    /// <summary>How many watches the store feeds now (each one a caller's open stream).</summary>
    public int Watchers => watchers.Count;

    /// <summary>Recovers from disk and serves.</summary>
    public static SchedulerStore Start(IHost host, StoreOptions options)
    {
        var store = new SchedulerStore(host, options);
        store.Recover();
        var server = new RpcServer(host, options.ListenAddress, options.Port, options.ServerTls);
        server.AddService(Store.BindService(store));
        server.Start();
        host.Log.Event(new StoreServing(store.Revision, [.. store.objects.Values.OrderBy(o => o.Version)]));
        return store;
    }

    public override Task<StoredObject> Get(GetRequest request, ServerCallContext context) =>
        Task.FromResult(objects.TryGetValue(request.Key, out var found) ? found : new StoredObject { Key = request.Key });

    /// <summary>
    /// Lists a prefix once every write that reached the store before the list is decided: a leader whose write timed
    /// out relists before it places more, and must see that write if it lands (a placement it cannot see would let it
    /// give the same CPUs twice).
    /// </summary>
    public override async Task<ListReply> List(ListRequest request, ServerCallContext context)
    {
        await writeTail;
        var reply = new ListReply { Revision = Revision };
        reply.Items.AddRange(Under(request.Prefix).OrderBy(o => o.Key, StringComparer.Ordinal));
        return reply;
    }

    public override async Task<PutReply> Put(PutRequest request, ServerCallContext context)
    {
        // One write at a time, from check to flush: compare-and-swap and fencing judge durable state only.
        var previous = writeTail;
        var mine = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        writeTail = mine.Task;
        try
        {
            await previous;
            var writer = Caller(context);
            if (Judge(request, writer) is { } refusal)
            {
                host.Log.Event(new StoreWriteRefused(request.Key, request.ExpectedVersion, request.Epoch, request.Holder, writer, refusal.StatusCode, refusal.Status.Detail, request.Value.ToByteArray()));
                throw refusal;
            }

            var stored = new StoredObject { Key = request.Key, Value = request.Value, Version = Revision + 1, Found = true };
            host.Disk.Write(DiskPrefix + request.Key, stored.ToByteArray());

            // Not the call's token: once on its way to disk the write completes (the caller may have given up: an unknown outcome).
            await host.Disk.FlushAsync(CancellationToken.None);
            Apply(stored);
            host.Log.Event(new StoreWriteAccepted(request.Key, stored.Version, request.ExpectedVersion, request.Epoch, writer, request.Value.ToByteArray()));
            return new PutReply { Version = stored.Version };
        }
        finally
        {
            mine.SetResult();
        }
    }

    public override async Task Watch(WatchRequest request, IServerStreamWriter<StoredObject> responseStream, ServerCallContext context)
    {
        var watcher = (request.Prefix, new Queue<StoredObject>(), new ChangeSignal());
        watchers.Add(watcher);
        try
        {
            var sent = request.FromRevision;
            foreach (var item in Under(request.Prefix).Where(o => o.Version > sent).OrderBy(o => o.Version).ToList())
            {
                await responseStream.WriteAsync(item);
                sent = item.Version;
            }

            while (!context.CancellationToken.IsCancellationRequested)
            {
                while (watcher.Item2.TryDequeue(out var item))
                {
                    if (item.Version > sent)
                    {
                        await responseStream.WriteAsync(item);
                        sent = item.Version;
                    }
                }

                await watcher.Item3.WaitAsync(host, WatchPoll, context.CancellationToken);
            }
        }
        catch (OperationCanceledException)
        {
            // The watcher went away (or the store is stopping): the stream simply ends.
        }
        finally
        {
            watchers.Remove(watcher);
        }
    }

    /// <summary>Why the write must be refused, or null to take it.</summary>
    private RpcException? Judge(PutRequest request, string writer)
    {
        if (!string.Equals(request.Holder, writer, StringComparison.Ordinal))
        {
            return Refusal(StatusCode.PermissionDenied, $"holder '{request.Holder}' is not the caller '{writer}'");
        }

        if (StoreKeys.OwnerOf(request.Key) is { } owner)
        {
            if (!options.Workers.Contains(writer) || !string.Equals(owner, writer, StringComparison.Ordinal))
            {
                return Refusal(StatusCode.PermissionDenied, $"{request.Key} belongs to worker '{owner}', not '{writer}'");
            }
        }
        else if (request.Key == StoreKeys.Lease || StoreKeys.IsFenced(request.Key))
        {
            if (!options.Replicas.Contains(writer))
            {
                return Refusal(StatusCode.PermissionDenied, $"'{writer}' is not a scheduler replica");
            }
        }
        else
        {
            return Refusal(StatusCode.PermissionDenied, $"no one writes {request.Key}");
        }

        var current = objects.GetValueOrDefault(request.Key);
        var version = current?.Version ?? 0;
        if (request.ExpectedVersion >= 0 && request.ExpectedVersion != version)
        {
            return Refusal(StatusCode.Aborted, $"version conflict on {request.Key}: expected {request.ExpectedVersion}, the store holds {version}");
        }

        return request.Key == StoreKeys.Lease ? JudgeLease(request)
            : StoreKeys.IsFenced(request.Key) ? Fence(request)
            : null;
    }

    /// <summary>A lease write keeps the epoch (a renewal by the holder) or grows it by one (a new term); anything else is refused.</summary>
    private RpcException? JudgeLease(PutRequest request)
    {
        LeaseRecord next;
        try
        {
            next = LeaseRecord.Parser.ParseFrom(request.Value);
        }
        catch (InvalidProtocolBufferException e)
        {
            return Refusal(StatusCode.InvalidArgument, $"not a lease record: {e.Message}");
        }

        if (!string.Equals(next.Holder, request.Holder, StringComparison.Ordinal))
        {
            return Refusal(StatusCode.PermissionDenied, $"the lease names '{next.Holder}', the write speaks for '{request.Holder}'");
        }

        var epoch = lease?.Epoch ?? 0;
        var renewal = lease is not null && string.Equals(lease.Holder, next.Holder, StringComparison.Ordinal) && next.Epoch == epoch;
        return renewal || next.Epoch == epoch + 1 ? null
            : Refusal(StatusCode.FailedPrecondition, $"lease epoch {next.Epoch} after epoch {epoch} held by '{lease?.Holder}': a new term takes epoch {epoch + 1}");
    }

    /// <summary>Fencing: a leader's write must carry the current lease's epoch and holder.</summary>
    private RpcException? Fence(PutRequest request)
    {
        if (options.Defects.IsOn(DefectCatalogue.LeaseWithoutFencing))
        {
            // The defect: the store takes any replica's write whatever its epoch.
            return null;
        }

        if (lease is null)
        {
            return Refusal(StatusCode.FailedPrecondition, $"fenced: no lease granted yet (write at epoch {request.Epoch})");
        }

        if (request.Epoch != lease.Epoch)
        {
            var age = request.Epoch < lease.Epoch ? "stale" : "future";
            return Refusal(StatusCode.FailedPrecondition, $"fenced: {age} epoch {request.Epoch}, the lease is at epoch {lease.Epoch} (held by '{lease.Holder}')");
        }

        return string.Equals(request.Holder, lease.Holder, StringComparison.Ordinal) ? null
            : Refusal(StatusCode.FailedPrecondition, $"fenced: epoch {lease.Epoch} is held by '{lease.Holder}', not '{request.Holder}'");
    }

    private void Apply(StoredObject stored)
    {
        objects[stored.Key] = stored;
        Revision = stored.Version;
        if (stored.Key == StoreKeys.Lease)
        {
            var next = LeaseRecord.Parser.ParseFrom(stored.Value);
            if (lease is null || lease.Epoch != next.Epoch || !string.Equals(lease.Holder, next.Holder, StringComparison.Ordinal))
            {
                host.Log.Event(new LeaseGranted(next.Holder, next.Epoch, stored.Version));
            }

            lease = next;
        }

        foreach (var (prefix, queue, signal) in watchers.Where(w => stored.Key.StartsWith(w.Prefix, StringComparison.Ordinal)).ToList())
        {
            queue.Enqueue(stored);
            signal.Signal();
        }
    }

    private void Recover()
    {
        foreach (var key in host.Disk.Keys(DiskPrefix))
        {
            var stored = StoredObject.Parser.ParseFrom(host.Disk.Read(key) ?? []);
            objects[stored.Key] = stored;
            Revision = Math.Max(Revision, stored.Version);
        }

        if (objects.TryGetValue(StoreKeys.Lease, out var held))
        {
            lease = LeaseRecord.Parser.ParseFrom(held.Value);
        }
    }

    private IEnumerable<StoredObject> Under(string prefix) => objects.Values.Where(o => o.Key.StartsWith(prefix, StringComparison.Ordinal));

    private static RpcException Refusal(StatusCode code, string reason) => new(new Status(code, reason));

    private static string Caller(ServerCallContext context) =>
        context.AuthContext.FindPropertiesByName("x509_common_name").FirstOrDefault()?.Value ?? "";
}
