using Sim.Stack.Psi;

namespace Sim.Scenarios.Psi;

/// <summary>
/// Model-based: each party's job against a reference of the retry policy and of RayFed's error propagation, from the
/// typed events. A failure kind is final (no retry can help) for bad input, a protocol mismatch or the peer's final
/// failure, or when the attempts run out; the peer's remote or moved-on failure is the peer's to report, never echoed
/// back. Judged: attempts never exceed the job's allowance; a job that completed had its last attempt succeed and names
/// no error; a job that failed ended on its last attempt's failure, final by the model; a remote error that reaches the
/// peer carries exactly the failing attempt's kind, cause and machine (the driver's own when the actor had none) and
/// is final as the model says; a remote or remote-final failure quotes that error and is final exactly when it was.
/// Every failure names a known kind and a cause, on one of the party's machines (none when its actor was never placed);
/// a lost head names the machine the actor was last placed on (or none, when the driver never learned it), and says why from the model's view: the head restarted
/// since the attempt began, or it was silent for at least the node timeout (and no longer than the attempt ran).
/// </summary>
public sealed class JobModel
{
    public const string Invariant = "psi-job-follows-the-retry-policy";

    private readonly Dictionary<(string Party, int Attempt), PsiAttemptFailed> failures = [];
    private readonly HashSet<(string Party, int Attempt)> succeeded = [];
    private readonly Dictionary<(string Party, int Attempt), RemoteErrorReceived> received = [];

    private static bool Known(string kind) => kind is PsiErrors.BadInput or PsiErrors.Mismatch or PsiErrors.Bind or PsiErrors.Remote or PsiErrors.Timeout
        or PsiErrors.Unreachable or PsiErrors.PeerMovedOn or PsiErrors.Protocol or PsiErrors.RemoteFinal or "node-died" or "head-lost" or "unschedulable" or "actor-error";

    private readonly Dictionary<string, string> placedOn = new(StringComparer.Ordinal);
    private readonly Dictionary<(string Party, int Attempt), (TimeSpan At, string ActorId)> begun = [];
    private readonly Dictionary<string, TimeSpan> headStarted = new(StringComparer.Ordinal);

    public JobModel(ScenarioContext context, PsiTopology topology, int maxAttempts, TimeSpan nodeTimeout)
    {
        bool Final(string kind, int attempt) => kind is PsiErrors.BadInput or PsiErrors.Mismatch or PsiErrors.RemoteFinal || attempt >= maxAttempts;
        bool PeerCaused(string kind) => kind is PsiErrors.Remote or PsiErrors.RemoteFinal or PsiErrors.PeerMovedOn;
        void Fail(string message) => context.Fail(Invariant, message);
        context.On<Sim.Stack.Cluster.ActorPlaced>((e, _) => placedOn[e.ActorId] = e.Machine);
        context.On<Sim.Worlds.ProcessStarted>((_, at) => headStarted[at.Subject] = at.Time);
        context.On<PsiAttemptFailed>((e, at) =>
        {
            var party = topology.Party(e.Party);
            var (since, actorId) = begun.GetValueOrDefault((e.Party, e.Attempt));
            var wrong = !Known(e.ErrorKind) || e.Cause.Length == 0 ? "a failure names a known kind and its cause"
                : e.Machine.Length > 0 && party.NodeOn(e.Machine) is null ? $"{e.Machine} is none of {e.Party}'s machines"
                : e.ErrorKind == "head-lost" ? HeadLost(e, party, placedOn.GetValueOrDefault(actorId) ?? "", at.Time - since, headStarted.GetValueOrDefault(party.Head.Name) > since, nodeTimeout)
                : null;
            if (wrong is not null)
            {
                Fail($"{e.Details}; {wrong}");
            }
        });
        context.On<PsiAttemptStarted>((e, at) =>
        {
            begun[(e.Party, e.Attempt)] = (at.Time, e.ActorId);
            if (e.Attempt > maxAttempts)
            {
                Fail($"{e.Details}; the job allows {maxAttempts} attempt(s)");
            }
        });
        context.On<PsiAttemptSucceeded>((e, _) => succeeded.Add((e.Party, e.Attempt)));
        context.On<RemoteErrorReceived>((e, _) =>
        {
            received.TryAdd((e.Party, e.Attempt), e);
            if (!failures.TryGetValue((e.From, e.Attempt), out var failure))
            {
                Fail($"{e.Details}; {e.From}'s attempt {e.Attempt} had not failed");
                return;
            }

            var machine = failure.Machine.Length > 0 ? failure.Machine : topology.Party(e.From).Driver.Machine.Name;
            if ((e.ErrorKind, e.Cause, e.Machine, e.Final) != (failure.ErrorKind, failure.Cause, machine, Final(failure.ErrorKind, failure.Attempt)))
            {
                Fail($"{e.Details}; {e.From}'s failure was on {machine} ({failure.ErrorKind}{(Final(failure.ErrorKind, failure.Attempt) ? ", final" : "")}): {failure.Cause}");
            }
        });
        context.On<RemoteErrorSent>((e, _) =>
        {
            if (!failures.TryGetValue((e.Party, e.Attempt), out var failure) || PeerCaused(failure.ErrorKind))
            {
                Fail($"{e.Details}; {(failure is null ? "the attempt had not failed" : $"its failure ({failure.ErrorKind}) came from {e.Peer}: there is nothing of its own to report")}");
            }
            else if (e.Delivered && e.Detail != $"{failure.ErrorKind}: {failure.Cause}")
            {
                Fail($"{e.Details}; the notice must say '{failure.ErrorKind}: {failure.Cause}'");
            }
        });
        context.On<PsiAttemptFailed>((e, _) =>
        {
            failures[(e.Party, e.Attempt)] = e;
            if (e.ErrorKind is PsiErrors.Remote or PsiErrors.RemoteFinal)
            {
                var error = received.GetValueOrDefault((e.Party, e.Attempt));
                var quoted = error is null ? null : $"FedRemoteError: party {error.From} failed on {error.Machine} ({error.ErrorKind}): {error.Cause}";
                if (error is null || e.Cause != quoted || (e.ErrorKind == PsiErrors.RemoteFinal) != error.Final)
                {
                    Fail($"{e.Details}; {(error is null ? "no remote error reached it" : $"the peer's error was '{quoted}'{(error.Final ? " (final)" : "")}")}");
                }
            }
        });
        context.On<PsiJobEnded>((e, _) =>
        {
            var last = failures.GetValueOrDefault((e.Party, e.Attempts));
            var wrong = e.Completed
                ? !succeeded.Contains((e.Party, e.Attempts)) || e.ErrorKind.Length + e.Cause.Length > 0 ? $"its attempt {e.Attempts} did not succeed, or it names an error" : null
                : last is null ? $"its attempt {e.Attempts} did not fail"
                : (e.ErrorKind, e.Cause) != (last.ErrorKind, last.Cause) ? $"its attempt {e.Attempts} failed with ({last.ErrorKind}): {last.Cause}"
                : !Final(last.ErrorKind, e.Attempts) ? $"{last.ErrorKind} after attempt {e.Attempts} of {maxAttempts} leaves a retry"
                : null;
            if (wrong is not null)
            {
                Fail($"{e.Details}; {wrong}");
            }
        });
    }

    private static string? HeadLost(PsiAttemptFailed e, PsiParty party, string machine, TimeSpan ran, bool restarted, TimeSpan nodeTimeout)
    {
        // The driver may not have learned the placement before it lost the head: no machine is then all it can name.
        if (e.Machine.Length > 0 && e.Machine != machine)
        {
            return $"its actor was last placed on {(machine.Length == 0 ? "no machine" : machine)}";
        }

        if (e.Cause.StartsWith($"the head of {party.Name} restarted and no longer knows actor ", StringComparison.Ordinal))
        {
            return restarted ? null : "the head has not restarted since the attempt began";
        }

        var silence = System.Text.RegularExpressions.Regex.Match(e.Cause, $"^the head of {party.Name} did not answer for ([0-9]+) ms \\([A-Za-z]+\\)$");
        return !silence.Success ? "the cause names neither a restart nor a silence"
            : int.Parse(silence.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture) is var ms && (ms < nodeTimeout.TotalMilliseconds || ms > ran.TotalMilliseconds + 1)
                ? $"a silence of {ms} ms is not between the node timeout ({nodeTimeout.TotalMilliseconds:F0} ms) and the attempt's age ({ran.TotalMilliseconds:F0} ms)"
                : null;
    }
}
