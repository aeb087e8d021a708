using Grpc.Core;
using Sim.Worlds;

namespace Sim.Scenarios.Gateway;

/// <summary>
/// The queues end to end, judged at the consumer (SCENARIOS.md section 3). Safety (accounting and uniqueness): every
/// message its producer had acknowledged is processed by its topic's consumer once, and a producer's acknowledged
/// messages are processed in the order it produced them (unacknowledged messages may be lost, never duplicated).
/// Liveness: every message acknowledged before the settling bound is processed by the horizon, and messages reach every
/// party (of five or more produced to a party its producers may reach, one at least is acknowledged). Safety of content:
/// a message's body arrives as its producer wrote it. The queue calls themselves (safety): a CONSUME_MSG answered empty
/// waited out the gateway's long poll (unless Coyote's clock fired its timer early); no consume or ack fails with Unknown or Internal (a crash in the gateway); an ack
/// of a message the gateway delivered is never NotFound; a raw client's reply reads as the protocol says.
/// </summary>
public sealed class ConsumptionChecker
{
    public const string ConsumedOnceInOrder = "acknowledged-message-consumed-once-in-order";
    public const string ConsumedWithinBound = "acknowledged-message-consumed-within-bound";
    public const string BodyIntact = "message-body-arrives-as-produced";
    public const string QueueCallsAnswered = "queue-calls-answered-as-specified";
    public const string MessagesFlow = "messages-reach-every-party";

    private static readonly StatusCode[] Crashes = [StatusCode.Unknown, StatusCode.Internal];

    private readonly ScenarioContext context;
    private readonly Dictionary<string, AppRequestSent> produced = new(StringComparer.Ordinal);
    private readonly Dictionary<string, TimeSpan> acknowledged = new(StringComparer.Ordinal);
    private readonly Dictionary<string, TimeSpan> processed = new(StringComparer.Ordinal);
    private readonly Dictionary<(string Party, string Topic), List<string>> order = [];
    private readonly Dictionary<string, TimeSpan> sentAt = new(StringComparer.Ordinal);

    /// <summary>Whether each message whose call has ended is owed an acknowledgement (its window closed, it is judged once).</summary>
    private readonly Dictionary<string, bool> owed = new(StringComparer.Ordinal);

    public ConsumptionChecker(ScenarioContext context, TimeSpan bound, TimeSpan consumeWait, FaultHistory faults)
    {
        this.context = context;
        var early = new EarlyFires(context);
        context.On<AppRequestSent>((e, at) =>
        {
            if (e.Produce)
            {
                produced[e.Id] = e;
                sentAt[e.Id] = at.Time;
            }
        });
        context.On<AppRequestDone>((e, at) =>
        {
            if (!produced.TryGetValue(e.Id, out var message))
            {
                return;
            }

            owed[e.Id] = !(e.Status == StatusCode.Unavailable && e.Detail.StartsWith("no route to party ", StringComparison.Ordinal)) && Untouched(message, at.Time);
            if (e.Status == StatusCode.OK)
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

            if (produced.TryGetValue(e.MessageId, out var sent) && !e.Body.EndsWith($" model-update #{sent.Seq} for {sent.Target}", StringComparison.Ordinal))
            {
                context.Fail(BodyIntact, $"{at.Subject} processed {e.MessageId} ({sent.Details}) with body '{e.Body}', not the body its producer sent");
            }

            (order.TryGetValue((e.Party, e.Topic), out var list) ? list : order[(e.Party, e.Topic)] = []).Add(e.MessageId);
            CheckOrder(e.Party, e.Topic);
        });
        context.On<ConsumeEnded>((e, at) =>
        {
            var wrong = Crashes.Contains(e.Status) ? $"failed {e.Status}: {e.Detail}"
                : e.Method == Stack.Gateway.GatewayMethods.Ack && e.Status == StatusCode.NotFound ? $"was refused NotFound for a message its gateway had delivered: {e.Detail}"
                : e.Empty && e.Waited < consumeWait && !early.HeldBack(at.Time - e.Waited, at.Time, e.Gateway) ? $"came back empty after {e.Waited.TotalSeconds:F3}s, before the gateway's long poll of {consumeWait.TotalSeconds}s could end"
                : null;
            if (wrong is not null)
            {
                context.Fail(QueueCallsAnswered, $"{at.Subject}'s {e.Method} on {e.Topic} {wrong}");
            }
        });
        context.On<MalformedReply>((e, at) => context.Fail(QueueCallsAnswered, $"{at.Subject}: {e.Id}: {e.Problem}"));
        // Judged on the messages no fault touched on their way: a fault on the producer, either gateway, an exchange or the
        // operator who joins parties to the exchanges (a kill, a pause, a partition or clog of their machines, any other
        // kind) while the message was in flight excuses it (chaos may isolate a producer for most of the run). A message
        // refused for want of a route is not owed either: the routing model judges every such refusal against the tables
        // (before the operator joins 10001 to the exchanges, the default route ends there).
        bool Untouched(AppRequestSent p, TimeSpan until)
        {
            string[] path = [$"app{p.Source}", $"gw{p.Source}", "exchange-a", "exchange-b", $"gw{p.Target}", "ops"];
            var machines = path.Select(name => $"m-{name}").ToArray();
            return !faults.Striking(sentAt[p.Id], until, f => FaultHistory.Touches(f, path, machines)).Any();
        }

        context.Eventually(MessagesFlow, () => produced.Values
            .Where(p => (p.Source != "10001" || p.Target != "10000") && (owed.TryGetValue(p.Id, out var o) ? o : Untouched(p, context.World.Now)))
            .GroupBy(p => p.Target)
            .Where(g => g.Count() >= 5 && !g.Any(p => acknowledged.ContainsKey(p.Id)))
            .Select(g => $"none of the {g.Count()} messages produced to party {g.Key} without a fault on their way was acknowledged")
            .FirstOrDefault());
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
