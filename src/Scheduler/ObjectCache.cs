using Grpc.Core;
using Sim.Stack.Host;
using Sim.Stack.Scheduler.Contracts;

namespace Sim.Stack.Scheduler;

/// <summary>
/// A replica's or worker's view of the store (an informer): a list, then a watch from the list's revision, re-watched
/// from the last revision seen whenever the stream breaks (a store restart, a partition). Objects are never deleted,
/// so merging by version is exact.
/// </summary>
public sealed class ObjectCache(IHost host, Store.StoreClient store, string prefix, TimeSpan retry)
{
    private readonly SortedDictionary<string, StoredObject> objects = new(StringComparer.Ordinal);

    /// <summary>The highest version seen.</summary>
    public long Revision { get; private set; }

    /// <summary>Called for every object that changed, after it was stored.</summary>
    public Action<StoredObject>? Changed { get; set; }

    public IEnumerable<StoredObject> Under(string under) =>
        objects.Where(o => o.Key.StartsWith(under, StringComparison.Ordinal)).Select(o => o.Value);

    public StoredObject? Find(string key) => objects.GetValueOrDefault(key);

    /// <summary>Takes an object this process just wrote (or read), if it is newer than what the cache holds.</summary>
    public void Take(StoredObject item)
    {
        if (objects.TryGetValue(item.Key, out var held) && held.Version >= item.Version)
        {
            return;
        }

        objects[item.Key] = item;
        Revision = Math.Max(Revision, item.Version);
        Changed?.Invoke(item);
    }

    /// <summary>Lists everything under the prefix now (a leader does this before its first pass of a term).</summary>
    public async Task ResyncAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        var list = await store.ListAsync(new ListRequest { Prefix = prefix }, deadline: host.Clock.UtcNow + timeout, cancellationToken: cancellationToken);
        foreach (var item in list.Items)
        {
            Take(item);
        }
    }

    /// <summary>Watches for as long as the process lives.</summary>
    public async Task WatchAsync(CancellationToken lifetime)
    {
        while (!lifetime.IsCancellationRequested)
        {
            try
            {
                using var call = store.Watch(new WatchRequest { Prefix = prefix, FromRevision = Revision }, cancellationToken: lifetime);
                while (await call.ResponseStream.MoveNext(lifetime))
                {
                    Take(call.ResponseStream.Current);
                }
            }
            catch (RpcException)
            {
                // The stream broke (store restart, partition, reset): watch again from the last revision seen.
            }

            await host.Clock.Delay(retry, lifetime);
        }
    }
}
