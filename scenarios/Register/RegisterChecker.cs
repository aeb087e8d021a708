using Sim.Stack.Register;

namespace Sim.Scenarios.Register;

/// <summary>
/// What reads and scans return, judged against the <see cref="RegisterModel"/>: a read returns at least the
/// version acknowledged before it started, with the value acknowledged for it, and only a value the primary
/// gave that version; a scan returns every key acknowledged before it started, each once, in key order.
/// </summary>
public sealed class RegisterChecker
{
    public const string NoLostAckedWrite = RegisterModel.NoLostAckedWrite;
    public const string ReadsReturnWrittenValues = "reads-return-only-written-values";
    public const string ScanReturnsEveryKeyInOrder = "scan-returns-every-acknowledged-key-once-in-order";

    private readonly ScenarioContext context;
    private readonly RegisterModel model;
    private readonly Dictionary<(string Client, string Key), RegisterEntry> floors = [];
    private readonly Dictionary<(string Client, string Prefix), List<RegisterEntry>> scanFloors = [];

    public RegisterChecker(ScenarioContext context, RegisterModel model)
    {
        this.context = context;
        this.model = model;
        context.On<ReadStarted>((e, at) => floors[(at.Subject, e.Key)] = model.Acked(e.Key));
        context.On<ReadReturned>((e, at) =>
        {
            Reads++;
            var returned = new RegisterEntry(e.Key, e.Version, e.Value);
            if (floors.Remove((at.Subject, e.Key), out var floor))
            {
                Judge(NoLostAckedWrite, Stale(returned, floor), $"{at.Subject} read {returned} from {e.ServedBy}");
            }

            Judge(ReadsReturnWrittenValues, Unwritten(returned), $"{at.Subject} read {returned} from {e.ServedBy}");
        });
        context.On<ScanStarted>((e, at) => scanFloors[(at.Subject, e.Prefix)] = [.. model.AckedKeys.Where(k => k.StartsWith(e.Prefix, StringComparison.Ordinal)).Select(model.Acked)]);
        context.On<ScanReturned>((e, at) => Scanned(at.Subject, e, scanFloors.Remove((at.Subject, e.Prefix), out var before) ? before : []));
    }

    public int Reads { get; private set; }

    public int Scans { get; private set; }

    private void Scanned(string client, ScanReturned scan, List<RegisterEntry> before)
    {
        Scans++;
        var what = $"{client} scanned prefix '{scan.Prefix}'";
        for (var i = 0; i < scan.Entries.Count; i++)
        {
            var entry = scan.Entries[i];
            if (!entry.Key.StartsWith(scan.Prefix, StringComparison.Ordinal) || (i > 0 && string.CompareOrdinal(scan.Entries[i - 1].Key, entry.Key) >= 0))
            {
                context.Fail(ScanReturnsEveryKeyInOrder, $"{what} and got {string.Join(' ', scan.Entries)}: not each key under the prefix once, in key order");
                return;
            }

            Judge(ReadsReturnWrittenValues, Unwritten(entry), what);
        }

        foreach (var floor in before)
        {
            var got = scan.Entries.FirstOrDefault(e => e.Key == floor.Key) ?? new RegisterEntry(floor.Key, 0, "");
            Judge(NoLostAckedWrite, Stale(got, floor), $"{what} and got {got}");
        }
    }

    private void Judge(string invariant, string? why, string what)
    {
        if (why is not null)
        {
            context.Fail(invariant, $"{what}, but {why}");
        }
    }

    private static string? Stale(RegisterEntry read, RegisterEntry floor) =>
        read.Version < floor.Version ? $"{floor} had been acknowledged before it started: an acknowledged write was lost"
        : read.Version == floor.Version && floor.Version > 0 && read.Value != floor.Value ? $"v{floor.Version} was acknowledged as '{floor.Value}': an acknowledged write was overwritten"
        : null;

    private string? Unwritten(RegisterEntry read)
    {
        if (read.Version == 0)
        {
            return read.Value.Length == 0 ? null : "version 0 means the key was never written";
        }

        var assigned = model.AssignedValue(read.Key, read.Version);
        return assigned == read.Value && model.WasAttempted(read.Key, read.Value) ? null
            : $"the primary gave v{read.Version} {(assigned is null ? "no value" : $"the value '{assigned}'")}: a value nobody wrote there";
    }
}
