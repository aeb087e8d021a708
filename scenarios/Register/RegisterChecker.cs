namespace Sim.Scenarios.Register;

/// <summary>
/// The register's invariant family: no acknowledged write is ever lost or read stale. Tracks, per key, the
/// highest version acknowledged so far; a read must return at least the version acknowledged before it
/// started, with the value that was acknowledged for it.
/// </summary>
public sealed class RegisterChecker(ScenarioContext context)
{
    public const string NoLostAckedWrite = "no-lost-acknowledged-write";
    public const string FinalReadsComplete = "final-reads-complete";

    private readonly Dictionary<string, (long Version, string Value)> acked = new(StringComparer.Ordinal);

    public int Acks { get; private set; }

    public int Reads { get; private set; }

    public int FinalReadsDone { get; set; }

    public void Acknowledged(string key, long version, string value)
    {
        Acks++;
        if (!acked.TryGetValue(key, out var current) || current.Version < version)
        {
            acked[key] = (version, value);
        }
    }

    /// <summary>What a read starting now must see at least.</summary>
    public (long Version, string Value) ReadStarts(string key) => acked.TryGetValue(key, out var floor) ? floor : (0, "");

    public void ReadReturned(string client, string key, (long Version, string Value) floor, long version, string value, string servedBy)
    {
        Reads++;
        if (version < floor.Version)
        {
            context.Fail(NoLostAckedWrite, $"{client} read {key}@v{version} from {servedBy}, but v{floor.Version} ('{floor.Value}') had been acknowledged before the read started: an acknowledged write was lost");
        }
        else if (version == floor.Version && floor.Version > 0 && value != floor.Value)
        {
            context.Fail(NoLostAckedWrite, $"{client} read {key}@v{version}='{value}' from {servedBy}, but v{version} was acknowledged as '{floor.Value}': an acknowledged write was overwritten");
        }
    }
}
