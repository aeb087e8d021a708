using Grpc.Core;
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
    private readonly HashSet<string> verified = new(StringComparer.Ordinal);
    private readonly Dictionary<string, (int Succeeded, int Unexplained)> afterQuiet = new(StringComparer.Ordinal);
    private readonly EarlyFires earlyFires;
    private readonly IReadOnlyList<string> replicas;

    public RegisterAccounting(ScenarioContext context, RegisterModel model, int clients, IReadOnlyList<string> replicas)
    {
        this.context = context;
        this.replicas = replicas;
        earlyFires = new EarlyFires(context);
        context.On<WriteStarted>((e, at) => Started(at, $"write {e.Key}='{e.Value}'"));
        context.On<WriteAcknowledged>((e, at) =>
        {
            Ended(at, $"write {e.Key}='{e.Value}'", "acknowledged");
            AfterQuiet(at, succeeded: true, explained: false);
            if (model.AssignedValue(e.Key, e.Version) != e.Value)
            {
                context.Fail(AckMatchesPrimary, $"{at.Subject}'s write {e.Key}='{e.Value}' was acknowledged as v{e.Version}, but the primary gave v{e.Version} {model.AssignedValue(e.Key, e.Version) ?? "to no write"}");
            }
        });
        context.On<WriteFailed>((e, at) =>
        {
            var started = Ended(at, $"write {e.Key}='{e.Value}'", $"failed ({e.Status})");
            AfterQuiet(at, succeeded: false, HeldBack(at, started, e.Status, e.Detail));
        });
        context.On<ReadStarted>((e, at) => Started(at, $"read {e.Key}"));
        context.On<ReadReturned>((e, at) =>
        {
            Ended(at, $"read {e.Key}", "returned");
            AfterQuiet(at, succeeded: true, explained: false);
        });
        context.On<ReadFailed>((e, at) =>
        {
            var started = Ended(at, $"read {e.Key}", $"failed ({e.Status})");
            AfterQuiet(at, succeeded: false, HeldBack(at, started, e.Status, e.Detail));
        });
        context.On<ScanStarted>((e, at) => Started(at, $"scan '{e.Prefix}'"));
        context.On<ScanReturned>((e, at) => Ended(at, $"scan '{e.Prefix}'", "returned"));
        context.On<ScanFailed>((e, at) => Ended(at, $"scan '{e.Prefix}'", $"failed ({e.Status})"));
        context.On<ClientVerified>((_, at) => verified.Add(at.Subject));

        // An operation started in the last two call timeouts before the horizon (a read tries the primary, then the
        // backup) may still be in flight when the run ends; every earlier one must have had its outcome.
        context.Eventually(OneOutcomePerOperation, () => open.Where(o => o.Value < context.Horizon - (2 * RegisterDeployment.CallTimeout)).ToList() is not { Count: > 0 } owed ? null
            : $"{owed.Count} operation(s) never had an outcome, first {owed[0].Key.Client}'s {owed[0].Key.Operation} started at {owed[0].Value.TotalSeconds:F3}s");
        // A client that did not finish is excused only when it kept making progress after the quiet point and every
        // failure there was a deadline that passed while the clock held back runnable work of the client or a replica
        // (the Coyote engine firing a timer ahead of it: a slow scheduler, see EarlyFires; the loop engine never does).
        // A client with no success after the quiet point, or with any other failure there, is not excused.
        context.Eventually(FinalReadsComplete, () =>
        {
            var excused = afterQuiet.Count(c => !verified.Contains(c.Key) && c.Value.Succeeded > 0 && c.Value.Unexplained == 0);
            var stuck = clients - verified.Count - excused;
            return stuck <= 0 ? null
                : $"only {Verified} of {clients} clients could write and read every key back after the network healed";
        });
    }

    /// <summary>Clients that wrote and read everything back after the quiet point.</summary>
    public int Verified => verified.Count;

    /// <summary>A failure that was a deadline passing while the clock held back the client's or a replica's runnable work.</summary>
    private bool HeldBack(Sim.Worlds.LoggedEvent at, TimeSpan? started, StatusCode status, string detail) =>
        (status == StatusCode.DeadlineExceeded || detail.Contains("Deadline Exceeded", StringComparison.Ordinal))
        && started is { } from && earlyFires.HeldBack(from, at.Time, [at.Subject, .. replicas]);

    private void AfterQuiet(Sim.Worlds.LoggedEvent at, bool succeeded, bool explained)
    {
        if (at.Time < context.EffectiveQuietAt)
        {
            return;
        }

        var (ok, unexplained) = afterQuiet.GetValueOrDefault(at.Subject);
        afterQuiet[at.Subject] = succeeded ? (ok + 1, unexplained) : explained ? (ok, unexplained) : (ok, unexplained + 1);
    }

    private void Started(Sim.Worlds.LoggedEvent at, string operation)
    {
        if (!open.TryAdd((at.Subject, operation), at.Time))
        {
            context.Fail(OneOutcomePerOperation, $"{at.Subject} started {operation} again at {at.Time.TotalSeconds:F3}s while the same operation from {open[(at.Subject, operation)].TotalSeconds:F3}s had no outcome yet");
        }
    }

    /// <summary>Closes the operation; returns when it started (null if none was open).</summary>
    private TimeSpan? Ended(Sim.Worlds.LoggedEvent at, string operation, string outcome)
    {
        if (!open.Remove((at.Subject, operation), out var started))
        {
            context.Fail(OneOutcomePerOperation, $"{at.Subject}'s {operation} {outcome} at {at.Time.TotalSeconds:F3}s, but no such operation was waiting for an outcome: a second outcome, or one nobody asked for");
            return null;
        }

        return started;
    }
}
