using Grpc.Core;
using Sim.Stack.Host;

namespace Sim.Stack.Gateway;

/// <summary>One token bucket per source party (OSX's flow control per party): a party over its rate is refused with <c>ResourceExhausted</c>.</summary>
public sealed class RateLimiter(IHost host, int? ratePerSecond, int burst)
{
    private readonly Dictionary<string, TokenBucket> buckets = new(StringComparer.Ordinal);

    /// <summary>Takes a token for a request of <paramref name="head"/>'s source party, or throws <c>ResourceExhausted</c>.</summary>
    public void Admit(RequestHead head)
    {
        if (ratePerSecond is not { } rate)
        {
            return;
        }

        var now = host.Clock.Elapsed;
        if (!buckets.TryGetValue(head.Source, out var bucket))
        {
            buckets[head.Source] = bucket = new TokenBucket(rate, burst, now);
        }

        var admitted = bucket.TryTake(now);
        host.Log.Event(new RateDecision(head.RequestId, head.Source, admitted));
        if (!admitted)
        {
            throw new GatewayRefusal(StatusCode.ResourceExhausted, $"rate limit: party {head.Source} sends more than {rate} requests/s (burst {burst}) through {host.Name}");
        }
    }
}
