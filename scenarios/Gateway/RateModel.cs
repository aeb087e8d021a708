using Sim.Stack.Gateway;
using Sim.Worlds;

namespace Sim.Scenarios.Gateway;

/// <summary>
/// A reference token bucket per (gateway incarnation, source party), fed the instants of the gateway's rate decisions.
/// Eligibility and model (safety): a request is admitted exactly when the model's bucket holds a token at that instant
/// — a party within its rate is never refused, one past it always is: both edges of the limit, for honest traffic and
/// for the hostile party's bursts alike. Whole numbers: a token is 10^7 units and the bucket gains <c>rate</c> units per
/// tick of virtual time, so the model never disagrees by rounding. What the decision does (safety): a gateway routes
/// a request only after admitting its id at least once in this incarnation, and refuses one for its rate only after a
/// refusing decision, with the detail its sender sees naming the party, the rate, the burst and the gateway.
/// </summary>
public sealed class RateModel
{
    public const string Invariant = "rate-limit-matches-token-bucket";

    private readonly Dictionary<(string Gateway, string Source), (long Units, TimeSpan Last)> buckets = [];
    private readonly Dictionary<(string Gateway, string Id), (int Admitted, int Refused)> decided = [];

    public RateModel(ScenarioContext context, int rate, int burst)
    {
        var token = TimeSpan.TicksPerSecond;
        context.On<ProcessStarted>((_, at) =>
        {
            foreach (var key in buckets.Keys.Where(k => k.Gateway == at.Subject).ToList())
            {
                buckets.Remove(key);
            }

            foreach (var key in decided.Keys.Where(k => k.Gateway == at.Subject).ToList())
            {
                decided.Remove(key);
            }
        });
        context.On<RequestRouted>((e, at) =>
        {
            if (decided.GetValueOrDefault((at.Subject, e.RequestId)).Admitted == 0)
            {
                context.Fail(Invariant, $"{at.Subject} routed {e.RequestId} from party {e.Source} without having admitted it ({decided.GetValueOrDefault((at.Subject, e.RequestId)).Refused} refusal(s) for its rate)");
            }
        });
        context.On<RequestRefused>((e, at) =>
        {
            if (e.Status != Grpc.Core.StatusCode.ResourceExhausted || e.FromNextHop)
            {
                return;
            }

            var expected = $"rate limit: party {e.Source} sends more than {rate} requests/s (burst {burst}) through {at.Subject}";
            if (decided.GetValueOrDefault((at.Subject, e.RequestId)).Refused == 0 || e.Detail != expected)
            {
                context.Fail(Invariant, $"{at.Subject} refused {e.RequestId} with ResourceExhausted '{e.Detail}' after {decided.GetValueOrDefault((at.Subject, e.RequestId)).Refused} refusing decision(s); a rate refusal says '{expected}'");
            }
        });
        context.On<RateDecision>((e, at) =>
        {
            var (units, last) = buckets.TryGetValue((at.Subject, e.Source), out var b) ? b : (burst * token, at.Time);
            units = Math.Min(burst * token, units + ((at.Time - last).Ticks * rate));
            var admit = units >= token;
            buckets[(at.Subject, e.Source)] = (admit ? units - token : units, at.Time);
            var (admitted, refused) = decided.GetValueOrDefault((at.Subject, e.RequestId));
            decided[(at.Subject, e.RequestId)] = e.Admitted ? (admitted + 1, refused) : (admitted, refused + 1);
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
