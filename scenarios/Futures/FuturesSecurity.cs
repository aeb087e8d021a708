namespace Sim.Scenarios.Futures;

/// <summary>
/// Security probes in both directions (<see cref="FuturesProbe"/>): every conclusive answer is the one the rule
/// prescribes — a refusal for each probe beyond an edge, and acceptance (end to end, with the right result) for each
/// probe just inside one — and every probe has been answered conclusively at least once by the horizon, so a rule
/// nobody exercised cannot pass by silence.
/// </summary>
public sealed class FuturesSecurity
{
    public const string ProbeAnsweredAsTheRuleSays = "security-probe-answered-as-the-rule-says";

    private readonly Dictionary<string, int> conclusive = new(StringComparer.Ordinal);
    private readonly HashSet<string> asked = new(StringComparer.Ordinal);

    public FuturesSecurity(ScenarioContext context)
    {
        context.On<ProbeAnswered>((e, at) =>
        {
            asked.Add(e.Probe);
            if (!e.Conclusive)
            {
                return;
            }

            conclusive[e.Probe] = conclusive.GetValueOrDefault(e.Probe) + 1;
            if (e.Actual != e.Expected)
            {
                context.Fail(ProbeAnsweredAsTheRuleSays, $"at {at.Time.TotalSeconds:F3}s probe {e.Probe} of {at.Subject} got '{e.Actual}', but the rule says '{e.Expected}'");
            }
        });
        context.Eventually(ProbeAnsweredAsTheRuleSays, () => asked.FirstOrDefault(p => !conclusive.ContainsKey(p)) is { } silent
            ? $"probe {silent} was never answered conclusively (the scheduler or the network was always away): its rule went unchecked"
            : null);
    }
}
