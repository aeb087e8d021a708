using Sim.Stack.Psi;

namespace Sim.Scenarios.Psi;

/// <summary>
/// Model-based safety: a receiver's result equals the true intersection of the two generated sets, whatever the cluster
/// sizes, placements, curve and faults; eligibility: only the configured receivers get a result.
/// </summary>
public sealed class ResultChecker
{
    public const string TrueIntersection = "psi-result-is-the-true-intersection";
    public const string OnlyReceivers = "result-only-to-configured-receivers";

    public ResultChecker(ScenarioContext context, PsiTopology topology, PsiProtocol protocol)
    {
        context.On<PsiAttemptSucceeded>((e, _) =>
        {
            // The model's own reading of the option, not the stack's PsiProtocol.Receives.
            var receives = protocol.Receivers == "both" || protocol.Receivers == e.Party;
            if ((e.Intersection is not null) != receives)
            {
                context.Fail(OnlyReceivers, $"{e.Party}'s attempt {e.Attempt} {(receives ? "got no result although" : "got a result although not")} a receiver (result to {protocol.Receivers})");
                return;
            }

            if (e.Intersection is not { } got)
            {
                return;
            }

            var truth = topology.Intersection;
            var missing = truth.Where(i => !got.Contains(i, StringComparer.Ordinal)).ToList();
            var extra = got.Where(i => !truth.Contains(i)).ToList();
            var repeated = got.Count - got.Distinct(StringComparer.Ordinal).Count();
            if (missing.Count + extra.Count + repeated > 0)
            {
                context.Fail(TrueIntersection, $"{e.Party}'s attempt {e.Attempt} on {e.Machine} returned {got.Count} item(s); the true intersection has {truth.Count}: {missing.Count} missing{(missing.Count > 0 ? $" (e.g. {missing[0]})" : "")}, {extra.Count} extra{(extra.Count > 0 ? $" (e.g. {extra[0]})" : "")}, {repeated} repeated");
            }
        });
    }
}
