using Sim.Stack.Gateway;
using Sim.Worlds;

namespace Sim.Scenarios.Gateway;

/// <summary>
/// A reference token bucket per (gateway incarnation, source party), fed the instants of the gateway's rate decisions.
/// Eligibility and model (safety): a request is admitted exactly when the model's bucket holds a token at that instant
/// — a party within its rate is never refused, one past it always is: both edges of the limit, for honest traffic and
/// for the hostile party's bursts alike. Whole numbers: a token is 10^7 units and the bucket gains <c>rate</c> units per
/// tick of virtual time, so the model never disagrees by rounding.
/// </summary>
public sealed class RateModel
{
    public const string Invariant = "rate-limit-matches-token-bucket";

    private readonly Dictionary<(string Gateway, string Source), (long Units, TimeSpan Last)> buckets = [];

    public RateModel(ScenarioContext context, int rate, int burst)
    {
        var token = TimeSpan.TicksPerSecond;
        context.On<ProcessStarted>((_, at) =>
        {
            foreach (var key in buckets.Keys.Where(k => k.Gateway == at.Subject).ToList())
            {
                buckets.Remove(key);
            }
        });
        context.On<RateDecision>((e, at) =>
        {
            var (units, last) = buckets.TryGetValue((at.Subject, e.Source), out var b) ? b : (burst * token, at.Time);
            units = Math.Min(burst * token, units + ((at.Time - last).Ticks * rate));
            var admit = units >= token;
            buckets[(at.Subject, e.Source)] = (admit ? units - token : units, at.Time);
            if (admit != e.Admitted)
            {
                context.Fail(Invariant, $"{at.Subject} {(e.Admitted ? "admitted" : "refused")} {e.RequestId} from party {e.Source} at {at.Time.TotalSeconds:F6}s, but the bucket ({rate}/s, burst {burst}) held {units / (double)token:F3} token(s)");
            }

            Decisions++;
            Refusals += admit ? 0 : 1;
        });
    }

    public int Decisions { get; private set; }

    public int Refusals { get; private set; }
}
