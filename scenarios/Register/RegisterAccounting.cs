using Sim.Stack.Host;
using Sim.Stack.Register;

namespace Sim.Scenarios.Register;

/// <summary>A client read every key back (and had its own last write acknowledged) after the quiet point.</summary>
public sealed record ClientVerified(int Keys) : SimEvent
{
    public override string Kind => "register.client-verified";

    public override string Details => $"keys={Keys}";
}

/// <summary>
/// Accounting, from the side that asked: every write, read and scan a client starts has exactly one outcome
/// (acknowledged or failed; returned or failed); an acknowledged write carries the version the primary gave
/// that very write; and after the quiet point every client gets a write acknowledged and reads every key back.
/// </summary>
public sealed class RegisterAccounting
{
    public const string OneOutcomePerOperation = "every-operation-has-exactly-one-outcome";
    public const string AckMatchesPrimary = "acknowledged-version-is-the-primary's";
    public const string FinalReadsComplete = "final-reads-complete";

    private readonly ScenarioContext context;
    private readonly Dictionary<(string Client, string Operation), TimeSpan> open = [];

    public RegisterAccounting(ScenarioContext context, RegisterModel model, int clients)
    {
        this.context = context;
        context.On<WriteStarted>((e, at) => Started(at, $"write {e.Key}='{e.Value}'"));
        context.On<WriteAcknowledged>((e, at) =>
        {
            Ended(at, $"write {e.Key}='{e.Value}'", "acknowledged");
            if (model.AssignedValue(e.Key, e.Version) != e.Value)
            {
                context.Fail(AckMatchesPrimary, $"{at.Subject}'s write {e.Key}='{e.Value}' was acknowledged as v{e.Version}, but the primary gave v{e.Version} {model.AssignedValue(e.Key, e.Version) ?? "to no write"}");
            }
        });
        context.On<WriteFailed>((e, at) => Ended(at, $"write {e.Key}='{e.Value}'", $"failed ({e.Status})"));
        context.On<ReadStarted>((e, at) => Started(at, $"read {e.Key}"));
        context.On<ReadReturned>((e, at) => Ended(at, $"read {e.Key}", "returned"));
        context.On<ReadFailed>((e, at) => Ended(at, $"read {e.Key}", $"failed ({e.Status})"));
        context.On<ScanStarted>((e, at) => Started(at, $"scan '{e.Prefix}'"));
        context.On<ScanReturned>((e, at) => Ended(at, $"scan '{e.Prefix}'", "returned"));
        context.On<ScanFailed>((e, at) => Ended(at, $"scan '{e.Prefix}'", $"failed ({e.Status})"));
        context.On<ClientVerified>((_, _) => Verified++);

        context.Eventually(OneOutcomePerOperation, () => open.Count == 0 ? null
            : $"{open.Count} operation(s) never had an outcome, first {open.First().Key.Client}'s {open.First().Key.Operation} started at {open.First().Value.TotalSeconds:F3}s");
        context.Eventually(FinalReadsComplete, () => Verified == clients ? null
            : $"only {Verified} of {clients} clients could write and read every key back after the network healed");
    }

    /// <summary>Clients that wrote and read everything back after the quiet point.</summary>
    public int Verified { get; private set; }

    private void Started(Sim.Worlds.LoggedEvent at, string operation)
    {
        if (!open.TryAdd((at.Subject, operation), at.Time))
        {
            context.Fail(OneOutcomePerOperation, $"{at.Subject} started {operation} again at {at.Time.TotalSeconds:F3}s while the same operation from {open[(at.Subject, operation)].TotalSeconds:F3}s had no outcome yet");
        }
    }

    private void Ended(Sim.Worlds.LoggedEvent at, string operation, string outcome)
    {
        if (!open.Remove((at.Subject, operation)))
        {
            context.Fail(OneOutcomePerOperation, $"{at.Subject}'s {operation} {outcome} at {at.Time.TotalSeconds:F3}s, but no such operation was waiting for an outcome: a second outcome, or one nobody asked for");
        }
    }
}
