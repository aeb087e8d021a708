using Grpc.Core;
using Sim.Stack.Gateway;
using Sim.Worlds;

namespace Sim.Scenarios.Gateway;

/// <summary>
/// Security probes in both directions, each judged against what it expects. A probe expected refused must be refused
/// by the gateway it was sent to with exactly that status and detail (or first by the rate limit, which the rate model
/// judges), never let through; a probe at the permitted edge of a rule must never be refused by a rule; a probe whose
/// certificate expired must never reach any gateway; no probe ends Unknown or Internal (a crash in the gateway). Judged on the gateway's own events, so a reply lost to a fault
/// does not hide a wrong decision. Liveness: every kind of probe still sent after the quiet point came out exactly as
/// expected at least once.
/// </summary>
public sealed class ProbeChecker
{
    public const string AsExpected = "probe-outcome-as-expected";
    public const string EveryKindJudged = "every-probe-kind-judged";

    private static readonly StatusCode[] RuleRefusals = [StatusCode.PermissionDenied, StatusCode.FailedPrecondition, StatusCode.InvalidArgument, StatusCode.Unauthenticated, StatusCode.NotFound];

    private readonly ScenarioContext context;
    private readonly Dictionary<string, (ProbeSent Probe, TimeSpan At)> probes = new(StringComparer.Ordinal);
    private readonly HashSet<string> seen = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> exact = new(StringComparer.Ordinal);
    private readonly Dictionary<string, TimeSpan> lastSent = new(StringComparer.Ordinal);

    public ProbeChecker(ScenarioContext context)
    {
        this.context = context;
        context.On<ProbeSent>((e, at) =>
        {
            probes[e.Id] = (e, at.Time);
            lastSent[e.Probe] = at.Time;
        });
        context.On<RequestRefused>((e, at) => AtGateway(e.RequestId, at.Subject, e.FromNextHop ? StatusCode.OK : e.Status, e.Detail, routed: false));
        context.On<RequestRouted>((e, at) => AtGateway(e.RequestId, at.Subject, StatusCode.OK, "", routed: true));
        context.On<RateDecision>((e, at) => AtGateway(e.RequestId, at.Subject, StatusCode.OK, "", routed: false));
        context.On<ProbeDone>((e, _) => Done(e));
        context.Eventually(EveryKindJudged, () => lastSent
            .Where(k => k.Value >= context.EffectiveQuietAt + TimeSpan.FromSeconds(1) && exact.GetValueOrDefault(k.Key) == 0)
            .Select(k => $"no '{k.Key}' probe came out as expected (last sent at {k.Value.TotalSeconds:F3}s, after the quiet point)")
            .FirstOrDefault());
    }

    /// <summary>Probes whose outcome was exactly the expected one, by kind.</summary>
    public IReadOnlyDictionary<string, int> Exact => exact;

    private void AtGateway(string id, string gateway, StatusCode status, string detail, bool routed)
    {
        if (!probes.TryGetValue(id, out var sent))
        {
            return;
        }

        seen.Add(id);
        var (probe, expect) = (sent.Probe, sent.Probe.Expect);
        if (expect.NeverServed)
        {
            context.Fail(AsExpected, $"{probe.Probe} probe {id} (its certificate expired) reached {gateway}");
        }
        else if (gateway != probe.Gateway || status == StatusCode.ResourceExhausted)
        {
            // Judged where it was sent; a refusal by the rate limit is the rate model's to judge.
        }
        else if (expect.Status is { } refusal && (routed || (status != StatusCode.OK && !Matches(expect, status, detail))))
        {
            context.Fail(AsExpected, $"{probe.Probe} probe {id} at {gateway} expected {expect}, but the gateway {(routed ? "let it through" : $"answered {status}: {detail}")}");
        }
        else if (expect.Admitted && RuleRefusals.Contains(status))
        {
            context.Fail(AsExpected, $"{probe.Probe} probe {id} is within the rules at {gateway}, but the gateway refused it: {status}: {detail}");
        }
    }

    private void Done(ProbeDone e)
    {
        if (!probes.TryGetValue(e.Id, out var sent))
        {
            return;
        }

        var (probe, expect) = (sent.Probe, sent.Probe.Expect);
        var asExpected = expect.NeverServed ? e.Status != StatusCode.OK && !seen.Contains(e.Id)
            : expect.Admitted ? e.Status == StatusCode.OK
            : Matches(expect, e.Status, e.Detail);
        if (asExpected)
        {
            exact[probe.Probe] = exact.GetValueOrDefault(probe.Probe) + 1;
            return;
        }

        var wrong = expect.NeverServed ? e.Status == StatusCode.OK
            : e.Status is StatusCode.Unknown or StatusCode.Internal
            || (expect.Admitted ? RuleRefusals.Contains(e.Status) : e.Status == StatusCode.OK || (RuleRefusals.Contains(e.Status) && !Matches(expect, e.Status, e.Detail)));
        if (wrong)
        {
            context.Fail(AsExpected, $"{probe.Probe} probe {e.Id} at {probe.Gateway} expected {expect}, but ended {e.Status}{(e.Detail.Length > 0 ? ": " + e.Detail : "")}");
        }
    }

    private static bool Matches(ProbeExpectation expect, StatusCode status, string detail) =>
        status == expect.Status && (expect.Detail is { } exactly ? detail == exactly : detail.StartsWith(expect.DetailPrefix!, StringComparison.Ordinal));
}
