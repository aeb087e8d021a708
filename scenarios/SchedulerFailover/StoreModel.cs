using Google.Protobuf;
using Sim.Stack.Scheduler;
using Sim.Worlds;

namespace Sim.Scenarios.SchedulerFailover;

/// <summary>
/// A reference model of the store, driven by what it reports: every accepted write (compare-and-swap judged against
/// the model's own versions, revisions that only grow) and every recovery from disk (every write the store
/// acknowledged is still there, at its version or a later one). A write that reached the disk but whose report died
/// with the store (killed between the flush and the reply) is adopted from the recovery, as a client retrying it
/// would find it. The other checkers read the store's state from here and follow its changes through <see cref="Applied"/>.
/// </summary>
public sealed class StoreModel
{
    public const string Revisions = "store-revisions-grow";
    public const string CompareAndSwap = "store-compare-and-swap-holds";

    /// <summary>The writer the model names for a write it learned only from the store's recovery (its acknowledgement never seen).</summary>
    public const string RecoveredWriter = "(recovered)";
    public const string Durable = "store-keeps-acknowledged-writes";

    private readonly Dictionary<string, (long Version, ByteString Value)> objects = new(StringComparer.Ordinal);
    private readonly List<Action<StoreChange>> listeners = [];
    private bool started;

    public StoreModel(ScenarioContext context)
    {
        context.On<StoreServing>((e, at) => Recovered(context, e, at));
        context.On<StoreWriteAccepted>((e, at) =>
        {
            if (e.Version <= Revision)
            {
                context.Fail(Revisions, $"the store accepted {e.Key} at revision {e.Version}, but it had already reached {Revision}");
            }

            var held = Version(e.Key);
            if (e.Expected >= 0 && e.Expected != held)
            {
                context.Fail(CompareAndSwap, $"the store accepted {e.Key} from {e.Writer} expecting version {e.Expected}, but the key was at {held}");
            }

            Apply(e.Key, e.Version, ByteString.CopyFrom(e.Value), e.Writer, e.Epoch, at);
        });
    }

    /// <summary>The model's revision: the latest version it knows.</summary>
    public long Revision { get; private set; }

    public int Writes { get; private set; }

    public long Version(string key) => objects.TryGetValue(key, out var held) ? held.Version : 0;

    public ByteString? Value(string key) => objects.TryGetValue(key, out var held) ? held.Value : null;

    /// <summary>Every key under <paramref name="prefix"/> with its value, by key.</summary>
    public IEnumerable<(string Key, ByteString Value)> Under(string prefix) =>
        objects.Where(o => o.Key.StartsWith(prefix, StringComparison.Ordinal)).OrderBy(o => o.Key, StringComparer.Ordinal).Select(o => (o.Key, o.Value.Value));

    /// <summary>Calls <paramref name="listener"/> after every change the model applies.</summary>
    public void OnChange(Action<StoreChange> listener) => listeners.Add(listener);

    private void Recovered(ScenarioContext context, StoreServing e, LoggedEvent at)
    {
        var recovered = e.Objects.ToDictionary(o => o.Key, StringComparer.Ordinal);
        if (started && objects.FirstOrDefault(o => !recovered.TryGetValue(o.Key, out var r) || r.Version < o.Value.Version) is { Key: not null } lost)
        {
            context.Fail(Durable, $"the store restarted at revision {e.Revision} with {lost.Key} at version {(recovered.TryGetValue(lost.Key, out var r) ? r.Version : 0)}, but it had acknowledged version {lost.Value.Version}");
        }

        started = true;
        foreach (var item in e.Objects.Where(o => o.Version > Version(o.Key)).OrderBy(o => o.Version))
        {
            Apply(item.Key, item.Version, item.Value, RecoveredWriter, -1, at);
        }
    }

    private void Apply(string key, long version, ByteString value, string writer, long epoch, LoggedEvent at)
    {
        var before = Value(key);
        objects[key] = (version, value);
        Revision = Math.Max(Revision, version);
        Writes++;
        var change = new StoreChange(key, version, before, value, writer, epoch, at);
        foreach (var listener in listeners)
        {
            listener(change);
        }
    }
}

/// <summary>One change the store model applied: the key, its value before and after, who wrote it at which epoch (-1: adopted from a recovery).</summary>
public sealed record StoreChange(string Key, long Version, ByteString? Before, ByteString After, string Writer, long Epoch, LoggedEvent At);
