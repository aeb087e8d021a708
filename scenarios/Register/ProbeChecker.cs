using Grpc.Core;
using Sim.Stack.Host;
using Sim.Worlds;

namespace Sim.Scenarios.Register;

/// <summary>
/// Security probes, both directions: each probe's outcome is checked against what it must get — refused with
/// the right status or at the handshake for the right reason, and, for the probes at the edges of a client
/// certificate's validity, accepted or refused exactly as the backup's clock (skew included) says at the moment
/// of the handshake, judged from the world's own time. Outcomes the rule never got to judge (the replica was down,
/// the link cut, the name moved elsewhere) decide nothing; every probe must be decided at least once.
/// </summary>
public sealed class ProbeChecker
{
    public const string ProbeOutcomeAsExpected = "probe-outcome-as-expected";
    public const string EveryProbeDecided = "every-probe-decided";

    private readonly ScenarioContext context;
    private readonly string prober;
    private readonly Live backup;
    private readonly HashSet<string> decided = new(StringComparer.Ordinal);
    private ProbeSent? current;
    private bool established;

    public ProbeChecker(ScenarioContext context, string prober, Live backup)
    {
        this.context = context;
        this.prober = prober;
        this.backup = backup;
        context.On<ProbeSent>((e, at) =>
        {
            if (at.Subject == prober)
            {
                (current, established) = (e, false);
            }
        });
        context.On<TlsEstablished>((_, at) => Handshake(at, null));
        context.On<TlsHandshakeFailed>((e, at) => Handshake(at, e.Failure));
        context.On<ProbeAnswered>((e, at) => Answered(e, at));
        context.Eventually(EveryProbeDecided, () => Undecided.FirstOrDefault() is { } kind
            ? $"probe {kind.Name} never got a decisive answer ({decided.Count} of {RegisterProbe.Kinds.Count} did): its rule was never tested"
            : null);
    }

    /// <summary>The probes that never had a decisive answer yet.</summary>
    public IEnumerable<ProbeKind> Undecided => RegisterProbe.Kinds.Where(k => !decided.Contains(k.Name));

    public bool AllDecided => !Undecided.Any();

    /// <summary>The clock-judged probes: the handshake must do what the certificate's window says on the backup's clock now.</summary>
    private void Handshake(LoggedEvent at, TlsFailure? failure)
    {
        if (at.Subject != prober || current is not { NotBefore: { } from, NotAfter: { } to } probe
            || failure is not (null or TlsFailure.CertificateExpired or TlsFailure.CertificateNotYetValid))
        {
            return;
        }

        var serverNow = World.Epoch + context.World.Now + backup.Machine.ClockSkew;
        TlsFailure? expected = serverNow > to ? TlsFailure.CertificateExpired : serverNow < from ? TlsFailure.CertificateNotYetValid : null;
        decided.Add(probe.Probe);
        established = failure is null;
        if (failure != expected)
        {
            context.Fail(ProbeOutcomeAsExpected, $"probe {probe.Probe}: a client certificate valid {from:O}..{to:O} met the backup's clock at {serverNow:O} and the handshake {Said(failure)}, where it must have {Said(expected)}");
        }
    }

    private void Answered(ProbeAnswered answer, LoggedEvent at)
    {
        var kind = RegisterProbe.Kinds.Single(k => k.Name == answer.Probe);
        var accepted = established;
        (current, established) = (null, false);
        if (Undecisive(kind, answer))
        {
            return;
        }

        if (kind.ByClock)
        {
            if (accepted && answer.Status != StatusCode.OK)
            {
                context.Fail(ProbeOutcomeAsExpected, $"probe {kind.Name}: the backup accepted the client certificate but refused the read: {answer.Status} '{answer.Detail}'");
            }

            return;
        }

        decided.Add(kind.Name);
        var right = kind.Refusal is { } refusal
            ? answer.Status == refusal && answer.Handshake is null && answer.Detail.Contains(kind.Reason, StringComparison.Ordinal)
            : answer.Handshake == kind.Handshake;
        if (!right)
        {
            context.Fail(ProbeOutcomeAsExpected, $"probe {kind.Name} from {at.Subject} got {answer.Status}{(answer.Handshake is { } f ? $" (TLS {f})" : "")} '{answer.Detail}', where it must be refused {(kind.Refusal is { } s ? $"with {s}, saying '{kind.Reason}'" : $"at the handshake ({kind.Handshake})")}");
        }
    }

    /// <summary>The call never reached the rule: the replica was unreachable, the deadline passed, or the name led elsewhere.</summary>
    private static bool Undecisive(ProbeKind kind, ProbeAnswered answer) =>
        answer.Handshake is { } failure
            ? failure != kind.Handshake && failure is TlsFailure.NameMismatch or TlsFailure.SessionExpired
            : answer.Status is StatusCode.Unavailable or StatusCode.DeadlineExceeded or StatusCode.Cancelled;

    private static string Said(TlsFailure? failure) => failure is { } f ? $"failed with {f}" : "succeeded";
}
