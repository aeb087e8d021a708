using Grpc.Core;
using Sim.Worlds;

namespace Sim.Scenarios.Gateway;

/// <summary>
/// The queues end to end, judged at the consumer (SCENARIOS.md section 3). Safety (accounting and uniqueness): every
/// message its producer had acknowledged is processed by its topic's consumer once, and a producer's acknowledged
/// messages are processed in the order it produced them (unacknowledged messages may be lost, never duplicated).
/// Liveness: every message acknowledged before the settling bound is processed by the horizon.
/// </summary>
public sealed class ConsumptionChecker
{
    public const string ConsumedOnceInOrder = "acknowledged-message-consumed-once-in-order";
    public const string ConsumedWithinBound = "acknowledged-message-consumed-within-bound";

    private readonly ScenarioContext context;
    private readonly Dictionary<string, AppRequestSent> produced = new(StringComparer.Ordinal);
    private readonly Dictionary<string, TimeSpan> acknowledged = new(StringComparer.Ordinal);
    private readonly Dictionary<string, TimeSpan> processed = new(StringComparer.Ordinal);
    private readonly Dictionary<(string Party, string Topic), List<string>> order = [];

    public ConsumptionChecker(ScenarioContext context, TimeSpan bound)
    {
        this.context = context;
        context.On<AppRequestSent>((e, _) =>
        {
            if (e.Produce)
            {
                produced[e.Id] = e;
            }
        });
        context.On<AppRequestDone>((e, at) =>
        {
            if (e.Status == StatusCode.OK && produced.TryGetValue(e.Id, out var message))
            {
                acknowledged[e.Id] = at.Time;
                CheckOrder(message.Target, message.What);
            }
        });
        context.On<MessageProcessed>((e, at) =>
        {
            if (!processed.TryAdd(e.MessageId, at.Time))
            {
                context.Fail(ConsumedOnceInOrder, $"{at.Subject} processed {e.MessageId} again (now from {e.Topic}@{e.Offset})");
                return;
            }

            (order.TryGetValue((e.Party, e.Topic), out var list) ? list : order[(e.Party, e.Topic)] = []).Add(e.MessageId);
            CheckOrder(e.Party, e.Topic);
        });
        context.Eventually(ConsumedWithinBound, () => acknowledged
            .Where(a => a.Value < context.Horizon - bound && !processed.ContainsKey(a.Key))
            .Select(a => $"{a.Key} (to party {produced[a.Key].Target}, acknowledged at {a.Value.TotalSeconds:F3}s) was never processed by party {produced[a.Key].Target}'s consumer by {context.Horizon.TotalSeconds}s")
            .FirstOrDefault());
    }

    public int Acknowledged => acknowledged.Count;

    /// <summary>The acknowledged messages processed at <paramref name="party"/> from one topic come in their producer's order.</summary>
    private void CheckOrder(string party, string topic)
    {
        if (!order.TryGetValue((party, topic), out var list))
        {
            return;
        }

        var last = 0L;
        foreach (var id in list.Where(acknowledged.ContainsKey))
        {
            var seq = produced[id].Seq;
            if (seq < last)
            {
                context.Fail(ConsumedOnceInOrder, $"party {party}'s consumer processed {topic} #{seq} ({id}) after #{last}: acknowledged messages out of their producer's order");
                return;
            }

            last = seq;
        }
    }
}
