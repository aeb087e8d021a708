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
/// </summary>
public sealed class JobModel
{
    public const string Invariant = "psi-job-follows-the-retry-policy";

    private readonly Dictionary<(string Party, int Attempt), PsiAttemptFailed> failures = [];
    private readonly HashSet<(string Party, int Attempt)> succeeded = [];
    private readonly Dictionary<(string Party, int Attempt), RemoteErrorReceived> received = [];

    public JobModel(ScenarioContext context, PsiTopology topology, int maxAttempts)
    {
        bool Final(string kind, int attempt) => kind is PsiErrors.BadInput or PsiErrors.Mismatch or PsiErrors.RemoteFinal || attempt >= maxAttempts;
        bool PeerCaused(string kind) => kind is PsiErrors.Remote or PsiErrors.RemoteFinal or PsiErrors.PeerMovedOn;
        void Fail(string message) => context.Fail(Invariant, message);
        context.On<PsiAttemptStarted>((e, _) =>
        {
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
}
