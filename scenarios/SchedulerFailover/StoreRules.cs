using Google.Protobuf;
using Grpc.Core;
using Sim.Stack.Scheduler;
using Sim.Stack.Scheduler.Contracts;
using Sim.Worlds;

namespace Sim.Scenarios.SchedulerFailover;

/// <summary>
/// The store's write rules as a reference model (model-based, security at both edges): every write the store judged is
/// judged again here, on the store model's own versions and lease, by the rules the store documents — the holder named
/// must be the caller; a worker writes only its own heartbeat and reports; only replicas write the lease and the fenced
/// prefixes, and no one writes anything else; compare-and-swap against the version held; a lease write keeps the
/// holder's epoch or takes the next one, in the name of the caller; a fenced write carries the current lease's epoch
/// and holder. A refusal must be the one the rules give, with its status and the reason the store documents (callers
/// act on both: the reconciler and the submit path step down on "fenced", the scheduler client follows
/// "the lease is held by"), and a write the rules take must not be refused. An accepted write the rules refuse fails
/// here too, except fencing, which <see cref="FencingChecker"/> judges with the lease's history.
/// </summary>
public sealed class StoreRules
{
    public const string Refusals = "store-refuses-as-its-rules-say";
    public const string Acceptances = "store-accepts-what-its-rules-allow";

    private const string NotALease = "not a lease record: ";

    private readonly StoreModel store;
    private readonly SchedulerTopology topology;

    public StoreRules(ScenarioContext context, StoreModel store, SchedulerTopology topology)
    {
        this.store = store;
        this.topology = topology;
        context.On<StoreWriteRefused>((e, at) =>
        {
            var rule = Judge(e.Key, e.Expected, e.Epoch, e.Holder, e.Writer, ByteString.CopyFrom(e.Value));
            if (rule is null)
            {
                context.Fail(Refusals, $"the store refused {e.Key} from {e.Writer} (holder {e.Holder}, epoch {e.Epoch}, expected v{e.Expected}) with {e.Status} \"{e.Reason}\"; the rules take it");
            }
            else if (rule.Value.Status != e.Status || !Matches(rule.Value.Reason, e.Reason))
            {
                context.Fail(Refusals, $"the store refused {e.Key} from {e.Writer} with {e.Status} \"{e.Reason}\"; the rules say {rule.Value.Status} \"{rule.Value.Reason}\"");
            }
        });

        // Who may write what does not depend on the store's state; compare-and-swap and the lease's epochs of an
        // accepted write are the store model's and the fencing checker's to judge (they hold the history).
        context.On<StoreWriteAccepted>((e, _) =>
        {
            if ((Permission(e.Key, e.Writer, e.Writer) ?? LeaseNamesHolder(e.Key, e.Writer, ByteString.CopyFrom(e.Value))) is { } rule)
            {
                context.Fail(Acceptances, $"the store accepted {e.Key} v{e.Version} from {e.Writer} (epoch {e.Epoch}); the rules say {rule.Status} \"{rule.Reason}\"");
            }
        });
    }

    /// <summary>The rules' verdict on one write, on the model's state: null to take it, else the status and reason of the refusal.</summary>
    public (StatusCode Status, string Reason)? Judge(string key, long expected, long epoch, string holder, string writer, ByteString value)
    {
        if (Permission(key, holder, writer) is { } refused)
        {
            return refused;
        }

        var held = store.Version(key);
        if (expected >= 0 && expected != held)
        {
            return (StatusCode.Aborted, $"version conflict on {key}: expected {expected}, the store holds {held}");
        }

        var lease = store.Value(StoreKeys.Lease) is { } bytes ? LeaseRecord.Parser.ParseFrom(bytes) : null;
        if (key == StoreKeys.Lease)
        {
            if (LeaseNamesHolder(key, holder, value) is { } misnamed)
            {
                return misnamed;
            }

            var next = LeaseRecord.Parser.ParseFrom(value);
            var current = lease?.Epoch ?? 0;
            var renewal = lease is not null && lease.Holder == next.Holder && next.Epoch == current;
            return renewal || next.Epoch == current + 1 ? null
                : (StatusCode.FailedPrecondition, $"lease epoch {next.Epoch} after epoch {current} held by '{lease?.Holder}': a new term takes epoch {current + 1}");
        }

        if (!StoreKeys.IsFenced(key))
        {
            return null;
        }

        if (lease is null)
        {
            return (StatusCode.FailedPrecondition, $"fenced: no lease granted yet (write at epoch {epoch})");
        }

        if (epoch != lease.Epoch)
        {
            return (StatusCode.FailedPrecondition, $"fenced: {(epoch < lease.Epoch ? "stale" : "future")} epoch {epoch}, the lease is at epoch {lease.Epoch} (held by '{lease.Holder}')");
        }

        return holder == lease.Holder ? null : (StatusCode.FailedPrecondition, $"fenced: epoch {lease.Epoch} is held by '{lease.Holder}', not '{holder}'");
    }

    /// <summary>Who may write <paramref name="key"/>: null if <paramref name="writer"/> may, speaking for <paramref name="holder"/>.</summary>
    private (StatusCode Status, string Reason)? Permission(string key, string holder, string writer)
    {
        if (holder != writer)
        {
            return (StatusCode.PermissionDenied, $"holder '{holder}' is not the caller '{writer}'");
        }

        if (StoreKeys.OwnerOf(key) is { } owner)
        {
            if (!topology.StoreWorkers.Contains(writer) || owner != writer)
            {
                return (StatusCode.PermissionDenied, $"{key} belongs to worker '{owner}', not '{writer}'");
            }
        }
        else if (key == StoreKeys.Lease || StoreKeys.IsFenced(key))
        {
            if (!topology.StoreReplicas.Contains(writer))
            {
                return (StatusCode.PermissionDenied, $"'{writer}' is not a scheduler replica");
            }
        }
        else
        {
            return (StatusCode.PermissionDenied, $"no one writes {key}");
        }

        return null;
    }

    /// <summary>A lease write must be a lease record naming the one it speaks for; null if it is (or the key is not the lease).</summary>
    private static (StatusCode Status, string Reason)? LeaseNamesHolder(string key, string holder, ByteString value)
    {
        if (key != StoreKeys.Lease)
        {
            return null;
        }

        try
        {
            var next = LeaseRecord.Parser.ParseFrom(value);
            return next.Holder == holder ? null : (StatusCode.PermissionDenied, $"the lease names '{next.Holder}', the write speaks for '{holder}'");
        }
        catch (InvalidProtocolBufferException)
        {
            return (StatusCode.InvalidArgument, NotALease);
        }
    }

    /// <summary>A parse error's text is the protobuf library's; the rest of every reason is the store's own.</summary>
    private static bool Matches(string rule, string reason) =>
        rule == NotALease ? reason.StartsWith(NotALease, StringComparison.Ordinal) : rule == reason;
}
