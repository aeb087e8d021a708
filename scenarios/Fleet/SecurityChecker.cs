using Grpc.Core;
using Sim.Stack.Fleet;
using Sim.Stack.Host;
using Sim.Stack.Rpc;
using Sim.Worlds;

namespace Sim.Scenarios.Fleet;

/// <summary>
/// Security, both directions. Each probe's answer is held against the outcome its rule gives: a signed timestamp is
/// accepted exactly when its age on the coordinator's clock (virtual time plus that machine's skew, from
/// <see cref="ClockHistory"/>, never the coordinator's own reading) is within [−5 s, 10 s + 5 s] while the call is in
/// flight, and rejected when it is outside all along (a probe whose age straddles an edge is not judged); unknown keys,
/// forged, corrupt, cut or missing signatures and malformed timestamps are rejected; a wrong server name, an expired or
/// a not-yet-valid certificate fails the handshake with that reason; an allow-listed key asking for a run nobody created
/// is answered NotFound. Every rejection is logged by the coordinator (<see cref="AuthRejected"/>) under the key the
/// probe presented (<c>-</c> for none) with the reason of the rule it broke — missing metadata, the allow-list, the
/// signature, a malformed timestamp, the window — so an operator reading the log can tell an attack from a skewed
/// clock. Honest nodes whose clocks are skewed are judged by the same rule: rejected only when their stamp was outside
/// the window, never accepted when it was.
/// </summary>
public sealed class SecurityChecker
{
    public const string ProbeAnsweredByTheRules = "probe-answered-as-the-rules-say";
    public const string HonestNodeJudgedByItsClock = "honest-node-judged-by-its-clock";
    public const string RejectionLoggedWithItsReason = "rejection-logged-with-its-reason";

    private static readonly TimeSpan Window = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan Drift = TimeSpan.FromSeconds(5);

    private readonly ScenarioContext context;
    private readonly FleetTopology fleet;
    private readonly ClockHistory clocks;
    private readonly Dictionary<ProbeKind, (int Judged, int Unjudged)> tally = [];
    private readonly List<(TimeSpan At, AuthRejected Rejection)> rejections = [];

    public SecurityChecker(ScenarioContext context, FleetTopology fleet, ClockHistory clocks)
    {
        this.context = context;
        this.fleet = fleet;
        this.clocks = clocks;
        context.On<AuthRejected>((e, at) =>
        {
            if (at.Subject == fleet.Coordinator.Name)
            {
                rejections.RemoveAll(r => r.At < at.Time - TimeSpan.FromSeconds(5));
                rejections.Add((at.Time, e));
            }
        });
        context.On<ProbeAnswered>((e, at) => Judge(e, at));
        var target = $"{fleet.Coordinator.DnsName}:{fleet.Coordinator.Port}";
        context.On<RpcCompleted>((e, at) =>
        {
            if (e.Target == target && fleet.Node(at.Subject) is { } node && e.Status is StatusCode.OK or StatusCode.Unauthenticated)
            {
                JudgeHonest(node, e, at);
            }
        });
    }

    /// <summary>What the rules say about a call.</summary>
    private enum Expected
    {
        Accepted,
        Rejected,
        Unsure,
    }

    /// <summary>Per probe kind: answers judged, and answers not judged (transport failures, a stamp straddling an edge).</summary>
    public IReadOnlyDictionary<ProbeKind, (int Judged, int Unjudged)> Tally => tally;

    private void Judge(ProbeAnswered e, LoggedEvent at)
    {
        var expectedTls = e.Probe switch
        {
            ProbeKind.NameMismatch => TlsFailure.NameMismatch,
            ProbeKind.ExpiredCertificate => TlsFailure.CertificateExpired,
            ProbeKind.NotYetValidCertificate => TlsFailure.CertificateNotYetValid,
            _ => (TlsFailure?)null,
        };
        var expected = expectedTls is not null ? Expected.Rejected : e.Stamp is { } stamp && e.Probe is not ProbeKind.MalformedTimestamp
            ? e.Probe is ProbeKind.ForgedSignature or ProbeKind.CorruptSignature or ProbeKind.TruncatedSignature or ProbeKind.ForeignKey ? Expected.Rejected : Verdict([stamp], e.Sent, at.Time)
            : Expected.Rejected;
        // An expired session is transport (the client handshakes again on its next call), not a verdict on a certificate.
        // Any other status is an answer, and a wrong one (a handler that threw answers Unknown).
        var answered = e.Tls is { } tls ? tls != TlsFailure.SessionExpired : e.Status is not (StatusCode.Unavailable or StatusCode.DeadlineExceeded or StatusCode.Cancelled);
        var (judged, unjudged) = tally.GetValueOrDefault(e.Probe);
        if (!answered || expected == Expected.Unsure)
        {
            tally[e.Probe] = (judged, unjudged + 1);
            return;
        }

        tally[e.Probe] = (judged + 1, unjudged);
        var why = (expectedTls, e.Tls) switch
        {
            (not null, var got) when got != expectedTls => $"the handshake should fail with {expectedTls}, got {(got is null ? e.Status.ToString() : got.ToString())}",
            (null, not null) => $"TLS refused the coordinator ({e.Tls}: {e.Detail})",
            (null, null) when expected == Expected.Accepted && e.Status != Accepted(e.Probe) => $"answered {e.Status} ({e.Detail}), but the rules accept it: {Accepted(e.Probe)}{Stamped(e)}",
            (null, null) when expected == Expected.Rejected && e.Status != StatusCode.Unauthenticated => $"{(e.Status == StatusCode.OK ? "accepted" : $"answered {e.Status} ({e.Detail})")}, but the rules reject it (Unauthenticated){Stamped(e)}",
            _ => null,
        };
        if (why is not null)
        {
            context.Fail(ProbeAnsweredByTheRules, $"{at.Subject}'s {e.Probe} probe (sent {e.Sent.TotalSeconds:F3}s): {why}");
            return;
        }

        if (expected == Expected.Rejected && expectedTls is null && Reason(e.Probe) is { } reason
            && !rejections.Any(r => r.At >= e.Sent && r.At <= at.Time && r.Rejection.Key == e.Key && r.Rejection.Why.Contains(reason, StringComparison.OrdinalIgnoreCase)))
        {
            var logged = rejections.Where(r => r.At >= e.Sent && r.At <= at.Time).Select(r => $"key={r.Rejection.Key}: '{r.Rejection.Why}'");
            context.Fail(RejectionLoggedWithItsReason, $"{at.Subject}'s {e.Probe} probe (key {e.Key}, sent {e.Sent.TotalSeconds:F3}s) was rejected, but {fleet.Coordinator.Name} logged no rejection of that key naming '{reason}' while it was in flight (logged: {string.Join("; ", logged.DefaultIfEmpty("none"))})");
        }
    }

    /// <summary>What a probe the rules let through is answered: a run nobody created is not found; everything else is OK.</summary>
    private static StatusCode Accepted(ProbeKind probe) => probe == ProbeKind.UnknownRun ? StatusCode.NotFound : StatusCode.OK;

    /// <summary>The word the reason logged for a rejected probe must contain: the rule it broke.</summary>
    private static string? Reason(ProbeKind probe) => probe switch
    {
        ProbeKind.ForeignKey => "allow-list",
        ProbeKind.MissingMetadata or ProbeKind.MissingSignature or ProbeKind.MissingTimestamp or ProbeKind.MissingKey => "missing",
        ProbeKind.ForgedSignature or ProbeKind.CorruptSignature or ProbeKind.TruncatedSignature => "signature",
        ProbeKind.MalformedTimestamp => "malformed",
        ProbeKind.PastOutside or ProbeKind.FutureOutside or ProbeKind.FarPast or ProbeKind.FarFuture or ProbeKind.ReplayOutside => "window",
        _ => null,
    };

    private string Stamped(ProbeAnswered e) => e.Stamp is { } stamp
        ? $" (stamp {stamp:HH:mm:ss.fff}; its age on {fleet.Coordinator.Name}'s clock was {string.Join(" / ", clocks.Ages(fleet.Coordinator.Machine.Name, stamp, e.Sent, e.Sent).Select(a => $"{a.Low.TotalSeconds:F3}s"))} when sent)"
        : "";

    /// <summary>An honest node's call: its stamp is its own clock when the call started.</summary>
    private void JudgeHonest(Live node, RpcCompleted e, LoggedEvent at)
    {
        var stamps = clocks.During(node.Machine.Name, e.Started, e.Started).Select(s => World.Epoch + e.Started + s.Skew).ToList();
        var expected = Verdict(stamps, e.Started, at.Time);
        if ((expected, e.Status) is (Expected.Accepted, StatusCode.Unauthenticated) or (Expected.Rejected, StatusCode.OK))
        {
            context.Fail(HonestNodeJudgedByItsClock, $"{at.Subject}'s {e.Method} (started {e.Started.TotalSeconds:F3}s, its clock {stamps[^1]:HH:mm:ss.fff}) was {(e.Status == StatusCode.OK ? "accepted" : "rejected")}, but the window says {(expected == Expected.Accepted ? "accept" : "reject")}: ages on {fleet.Coordinator.Name}'s clock {Ages(stamps, e.Started, at.Time)}");
        }
    }

    private string Ages(IReadOnlyList<DateTime> stamps, TimeSpan from, TimeSpan to) =>
        string.Join(", ", stamps.SelectMany(s => clocks.Ages(fleet.Coordinator.Machine.Name, s, from, to)).Select(a => $"[{a.Low.TotalSeconds:F3}s, {a.High.TotalSeconds:F3}s]"));

    /// <summary>Accepted when every age the stamps can have had while the call was in flight is inside the window, rejected when every one is outside.</summary>
    private Expected Verdict(IReadOnlyList<DateTime> stamps, TimeSpan from, TimeSpan to)
    {
        var ages = stamps.SelectMany(s => clocks.Ages(fleet.Coordinator.Machine.Name, s, from, to)).ToList();
        if (ages.All(a => a.Low >= -Drift && a.High <= Window + Drift))
        {
            return Expected.Accepted;
        }

        return ages.All(a => a.Low > Window + Drift || a.High < -Drift) ? Expected.Rejected : Expected.Unsure;
    }
}
