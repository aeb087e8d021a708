using Sim.Stack.Host;
using Sim.Stack.Register;

namespace Sim.Scenarios.Register;

/// <summary>
/// The register's lines of the event log, as users read and grep them (the README's samples, bug reports, the
/// replay's event log): every register event renders as its kind and the fields that say what happened — key,
/// version, value, role, who was refused and why, which replica served — and a replica that kept a newer version
/// says so. Checked on every event, so a line that lies or says nothing is caught where it is written.
/// </summary>
public sealed class RegisterLogLines
{
    public const string LinesSayWhatHappened = "register-log-lines-say-what-happened";

    private readonly ScenarioContext context;

    public RegisterLogLines(ScenarioContext context)
    {
        this.context = context;
        Expect<ReplicaServing>("register.serving", e => $"role={(e.Primary ? "primary" : "backup")} keys={e.Keys}");
        Expect<ReplicationFailed>("register.replicate-failed", e => $"key={e.Key} version={e.Version}: {e.Status} {e.Detail}");
        Expect<WriteApplied>("register.write-applied", e => Entry(e.Key, e.Version, e.Value));
        Expect<ReplicaApplied>("register.replica-applied", e => Entry(e.Key, e.Version, e.Value) + (e.Applied ? "" : " ignored: not newer"));
        Expect<RegisterCallRefused>("register.refused", e => $"{e.Method} from {e.Caller}: {e.Status} {e.Reason}");
        Expect<WriteStarted>("register.write", e => $"{e.Key}='{e.Value}'");
        Expect<WriteAcknowledged>("register.write-acked", e => Entry(e.Key, e.Version, e.Value));
        Expect<WriteFailed>("register.write-failed", e => $"{e.Key}='{e.Value}': {e.Status} {e.Detail}");
        Expect<ReadStarted>("register.read", e => e.Key);
        Expect<ReadReturned>("register.read-returned", e => $"{Entry(e.Key, e.Version, e.Value)} from {e.ServedBy}");
        Expect<ReadFailed>("register.read-failed", e => $"{e.Key}: {e.Status} {e.Detail}");
        Expect<ScanStarted>("register.scan", e => $"prefix='{e.Prefix}'");
        Expect<ScanReturned>("register.scan-returned", e => $"prefix='{e.Prefix}' {string.Join(' ', e.Entries.Select(x => Entry(x.Key, x.Version, x.Value)))}");
        Expect<ScanFailed>("register.scan-failed", e => $"prefix='{e.Prefix}': {e.Status} {e.Detail}");
    }

    /// <summary>How one key at one version reads everywhere in the register's lines.</summary>
    private static string Entry(string key, long version, string value) => $"{key}@v{version}='{value}'";

    private void Expect<T>(string kind, Func<T, string> details)
        where T : SimEvent =>
        context.On<T>((e, at) =>
        {
            if (e.Kind != kind || e.Details != details(e))
            {
                context.Fail(LinesSayWhatHappened, $"{at.Subject}'s {typeof(T).Name} logged as '{e.Kind} {e.Details}', where it must read '{kind} {details(e)}'");
            }
        });
}
