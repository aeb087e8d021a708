using Sim.Stack.Register;

namespace Sim.Scenarios.Register;

/// <summary>
/// The reference model of the register, driven by the same typed events the stack reports: which values
/// clients tried to write, which version the primary gave each write, which versions were acknowledged and
/// which the backup confirmed. After every step it is compared with what each serving replica holds
/// (model-based); a version is never given two values once anyone relied on it (uniqueness).
/// </summary>
public sealed class RegisterModel
{
    /// <summary>Judged on what the replicas hold, as <see cref="RegisterChecker"/> judges it on what reads return.</summary>
    public const string NoLostAckedWrite = "no-lost-acknowledged-write";
    public const string OneValuePerVersion = "one-value-per-version";
    public const string BackupNeverAheadOfPrimary = "backup-never-ahead-of-primary";

    private readonly Dictionary<string, RegisterEntry> acked = new(StringComparer.Ordinal);
    private readonly Dictionary<(string Key, long Version), string> assigned = [];
    private readonly Dictionary<(string Key, long Version), string> confirmed = [];
    private readonly Dictionary<string, HashSet<string>> attempted = new(StringComparer.Ordinal);

    public RegisterModel(ScenarioContext context, Live<RegisterReplica> primary, Live<RegisterReplica> backup)
    {
        context.On<WriteStarted>((e, _) => (attempted.TryGetValue(e.Key, out var values) ? values : attempted[e.Key] = new(StringComparer.Ordinal)).Add(e.Value));
        context.On<WriteApplied>((e, _) => Assigned(context, e));
        context.On<ReplicaApplied>((e, at) =>
        {
            if (e.Applied)
            {
                Confirm(context, new RegisterEntry(e.Key, e.Version, e.Value), $"applied by {at.Subject}");
            }
        });
        context.On<WriteAcknowledged>((e, at) =>
        {
            var entry = new RegisterEntry(e.Key, e.Version, e.Value);
            Confirm(context, entry, $"acknowledged to {at.Subject}");
            if (Acked(e.Key).Version < e.Version)
            {
                acked[e.Key] = entry;
            }
        });
        context.Always(NoLostAckedWrite, () => Behind(primary) ?? Behind(backup));
        context.Always(BackupNeverAheadOfPrimary, () => Ahead(primary.Current, backup.Current));
    }

    /// <summary>The newest acknowledged version of <paramref name="key"/> (version 0 when none).</summary>
    public RegisterEntry Acked(string key) => acked.GetValueOrDefault(key) ?? new RegisterEntry(key, 0, "");

    /// <summary>Every key some write was acknowledged for.</summary>
    public IReadOnlyCollection<string> AckedKeys => acked.Keys;

    /// <summary>The value the primary last gave <paramref name="version"/> of <paramref name="key"/>, or null if it never gave that version.</summary>
    public string? AssignedValue(string key, long version) => assigned.GetValueOrDefault((key, version));

    /// <summary>Whether some client tried to write <paramref name="value"/> to <paramref name="key"/>.</summary>
    public bool WasAttempted(string key, string value) => attempted.TryGetValue(key, out var values) && values.Contains(value);

    private void Assigned(ScenarioContext context, WriteApplied e)
    {
        if (confirmed.TryGetValue((e.Key, e.Version), out var relied) && relied != e.Value)
        {
            context.Fail(OneValuePerVersion, $"the primary gave {e.Key}@v{e.Version} the value '{e.Value}', but that version was already confirmed as '{relied}': a version was reused");
        }

        assigned[(e.Key, e.Version)] = e.Value;
    }

    private void Confirm(ScenarioContext context, RegisterEntry entry, string how)
    {
        if (confirmed.TryGetValue((entry.Key, entry.Version), out var earlier) && earlier != entry.Value)
        {
            context.Fail(OneValuePerVersion, $"{entry} ({how}), but {entry.Key}@v{entry.Version} was already confirmed as '{earlier}'");
        }

        confirmed[(entry.Key, entry.Version)] = entry.Value;
    }

    /// <summary>Why a serving replica does not hold every acknowledged write (durable on both replicas before the ack), or null.</summary>
    private string? Behind(Live<RegisterReplica> replica)
    {
        if (replica.Current is not { } serving)
        {
            return null;
        }

        foreach (var (key, ack) in acked)
        {
            var held = serving.Entries.GetValueOrDefault(key);
            if (held is null || held.Version < ack.Version)
            {
                return $"{replica.Name} (incarnation {replica.Incarnation}) holds {held?.ToString() ?? $"no {key}"}, but {ack} was acknowledged: an acknowledged write is not on both replicas";
            }

            if (held.Version == ack.Version && held.Value != ack.Value)
            {
                return $"{replica.Name} holds {held}, but v{ack.Version} was acknowledged as '{ack.Value}': an acknowledged write was overwritten";
            }
        }

        return null;
    }

    /// <summary>The backup only ever holds what the primary made durable first, so it is never ahead of a serving primary.</summary>
    private static string? Ahead(RegisterReplica? primary, RegisterReplica? backup)
    {
        if (primary is null || backup is null)
        {
            return null;
        }

        return backup.Entries.Values.FirstOrDefault(e => e.Version > (primary.Entries.GetValueOrDefault(e.Key)?.Version ?? 0)) is { } ahead
            ? $"the backup holds {ahead}, newer than the primary's {primary.Entries.GetValueOrDefault(ahead.Key)?.ToString() ?? "nothing"}"
            : null;
    }
}
