using Sim.Stack.Host;
using Sim.Stack.Register;

namespace Sim.Scenarios.Register;

/// <summary>A client read every key back after the quiet point.</summary>
public sealed record ClientVerified(int Keys) : SimEvent
{
    public override string Kind => "register.client-verified";

    public override string Details => $"keys={Keys}";
}

/// <summary>
/// The register's invariant family, fed by the clients' typed events: no acknowledged write is ever lost or
/// read stale. Tracks, per key, the highest version acknowledged so far; a read must return at least the
/// version acknowledged before it started, with the value that was acknowledged for it.
/// </summary>
public sealed class RegisterChecker
{
    public const string NoLostAckedWrite = "no-lost-acknowledged-write";
    public const string FinalReadsComplete = "final-reads-complete";

    private readonly Dictionary<string, (long Version, string Value)> acked = new(StringComparer.Ordinal);
    private readonly Dictionary<(string Client, string Key), (long Version, string Value)> floors = [];

    public RegisterChecker(ScenarioContext context)
    {
        context.On<WriteAcknowledged>((e, _) => Acknowledged(e.Key, e.Version, e.Value));
        context.On<ReadStarted>((e, at) => floors[(at.Subject, e.Key)] = acked.TryGetValue(e.Key, out var floor) ? floor : (0, ""));
        context.On<ReadReturned>((e, at) =>
        {
            Reads++;
            if (floors.Remove((at.Subject, e.Key), out var floor) && Stale(at.Subject, e, floor) is { } message)
            {
                context.Fail(NoLostAckedWrite, message);
            }
        });
        context.On<ClientVerified>((_, _) => FinalReadsDone++);
    }

    public int Acks { get; private set; }

    public int Reads { get; private set; }

    public int FinalReadsDone { get; private set; }

    private void Acknowledged(string key, long version, string value)
    {
        Acks++;
        if (!acked.TryGetValue(key, out var current) || current.Version < version)
        {
            acked[key] = (version, value);
        }
    }

    private static string? Stale(string client, ReadReturned read, (long Version, string Value) floor) =>
        read.Version < floor.Version
            ? $"{client} read {read.Key}@v{read.Version} from {read.ServedBy}, but v{floor.Version} ('{floor.Value}') had been acknowledged before the read started: an acknowledged write was lost"
            : read.Version == floor.Version && floor.Version > 0 && read.Value != floor.Value
                ? $"{client} read {read.Key}@v{read.Version}='{read.Value}' from {read.ServedBy}, but v{read.Version} was acknowledged as '{floor.Value}': an acknowledged write was overwritten"
                : null;
}
