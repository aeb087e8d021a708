using Sim.Stack.Gateway;
using Sim.Worlds;

namespace Sim.Scenarios.Gateway;

/// <summary>
/// A reference model of every topic queue, driven by the gateways' typed events and judged after each. Model (safety):
/// a stored message takes a fresh offset and a message id is stored once (a producer's retry gets the same offset); a
/// delivery is the topic's head (the lowest durable offset not acknowledged) with the stored message id; a restarted
/// gateway recovers every message and acknowledgement the model saw made durable. Eligibility (safety, on the model's
/// own clock): a delivered message is not delivered again before its visibility timeout ends, and an acknowledged one
/// never again. A message is announced durable once, under its own id (or, when it has none, its request's TraceID,
/// never an empty one); a delivery says how many times this incarnation delivered the offset. The gateway's memory
/// (leases, delivery counts) dies with its incarnation; the disk does not.
/// </summary>
public sealed class QueueModel
{
    public const string Invariant = "queue-matches-model";

    private readonly ScenarioContext context;
    private readonly TimeSpan visibility;
    private readonly Dictionary<(string Gateway, string Topic), Topic> topics = [];

    // TraceIDs of raw messages that carry their own message id: the gateway must store them under that id.
    private readonly HashSet<string> ownIds = new(StringComparer.Ordinal);

    public QueueModel(ScenarioContext context, TimeSpan visibility)
    {
        this.context = context;
        this.visibility = visibility;
        context.On<ProcessKilled>((_, at) => Forget(at.Subject));
        context.On<ProbeSent>((e, _) =>
        {
            if (e.Probe == "own-message-id")
            {
                ownIds.Add(e.Id);
            }
        });
        context.On<QueueRecovered>(Recovered);
        context.On<MessageStored>(Stored);
        context.On<MessageDelivered>(Delivered);
        context.On<MessageAcked>(Acked);
    }

    /// <summary>Messages durable in all topics, and how many of them are acknowledged.</summary>
    public (int Stored, int Acked) Totals => (topics.Values.Sum(t => t.Durable.Count), topics.Values.Sum(t => t.Acked.Count));

    private Topic Get(string gateway, string topic) => topics.TryGetValue((gateway, topic), out var t) ? t : topics[(gateway, topic)] = new Topic();

    private void Forget(string process)
    {
        foreach (var ((gateway, _), topic) in topics)
        {
            if (gateway == process)
            {
                topic.Leases.Clear();
                topic.Deliveries.Clear();
            }
        }
    }

    private void Recovered(QueueRecovered e, LoggedEvent at)
    {
        var topic = Get(at.Subject, e.Topic);
        if (topic.Durable.FirstOrDefault(m => !e.Messages.TryGetValue(m.Key, out var id) || id != m.Value) is { Value: not null } lost)
        {
            context.Fail(Invariant, $"{at.Subject} restarted without {e.Topic}@{lost.Key} ({lost.Value}), which was durable");
        }
        else if (topic.Acked.Where(o => !e.Acked.Contains(o)).Cast<long?>().FirstOrDefault() is { } unacked)
        {
            context.Fail(Invariant, $"{at.Subject} restarted with {e.Topic}@{unacked} unacknowledged, but its acknowledgement was durable");
        }

        topic.Durable.Clear();
        foreach (var (offset, id) in e.Messages)
        {
            topic.Durable[offset] = id;
        }

        topic.Acked.UnionWith(e.Acked);
    }

    private void Stored(MessageStored e, LoggedEvent at)
    {
        var topic = Get(at.Subject, e.Topic);
        if (topic.Durable.TryGetValue(e.Offset, out var other) && other != e.MessageId)
        {
            context.Fail(Invariant, $"{at.Subject} stored {e.MessageId} at {e.Topic}@{e.Offset}, which already holds {other}");
        }
        else if (other is not null)
        {
            context.Fail(Invariant, $"{at.Subject} announced {e.MessageId} at {e.Topic}@{e.Offset} durable a second time");
        }
        else if (e.MessageId.Length == 0 || ownIds.Contains(e.MessageId))
        {
            context.Fail(Invariant, $"{at.Subject} stored a message at {e.Topic}@{e.Offset} under the id '{e.MessageId}': a message keeps its own id, and one without takes its request's TraceID");
        }
        else if (topic.Durable.FirstOrDefault(m => m.Value == e.MessageId && m.Key != e.Offset) is { Value: not null } twice)
        {
            context.Fail(Invariant, $"{at.Subject} stored {e.MessageId} twice in {e.Topic}: at {twice.Key} and at {e.Offset}");
        }

        topic.Durable[e.Offset] = e.MessageId;
    }

    private void Delivered(MessageDelivered e, LoggedEvent at)
    {
        var topic = Get(at.Subject, e.Topic);
        var head = topic.Durable.Keys.Where(o => !topic.Acked.Contains(o)).Cast<long?>().FirstOrDefault();
        string? wrong = !topic.Durable.TryGetValue(e.Offset, out var id) ? "which the model never saw stored"
            : id != e.MessageId ? $"which holds {id}, not {e.MessageId}"
            : topic.Acked.Contains(e.Offset) ? "which was acknowledged"
            : head != e.Offset ? $"but the head is {(head is null ? "none" : $"@{head}")}"
            : topic.Leases.TryGetValue(e.Offset, out var until) && until > at.Time ? $"which is invisible until {until.TotalSeconds:F3}s (delivered before, visibility {visibility.TotalSeconds}s)"
            : e.Delivery != topic.Deliveries.GetValueOrDefault(e.Offset) + 1 ? $"calling it delivery {e.Delivery}, but this incarnation delivered it {topic.Deliveries.GetValueOrDefault(e.Offset)} time(s) before"
            : null;
        if (wrong is not null)
        {
            context.Fail(Invariant, $"{at.Subject} delivered {e.Topic}@{e.Offset} ({e.MessageId}) at {at.Time.TotalSeconds:F3}s, {wrong}");
        }

        topic.Leases[e.Offset] = at.Time + visibility;
        topic.Deliveries[e.Offset] = topic.Deliveries.GetValueOrDefault(e.Offset) + 1;
    }

    private void Acked(MessageAcked e, LoggedEvent at)
    {
        var topic = Get(at.Subject, e.Topic);
        if (!topic.Durable.ContainsKey(e.Offset))
        {
            context.Fail(Invariant, $"{at.Subject} acknowledged {e.Topic}@{e.Offset}, which the model never saw stored");
        }

        topic.Acked.Add(e.Offset);
        topic.Leases.Remove(e.Offset);
    }

    private sealed class Topic
    {
        public SortedDictionary<long, string> Durable { get; } = [];

        public HashSet<long> Acked { get; } = [];

        public Dictionary<long, TimeSpan> Leases { get; } = [];

        /// <summary>Deliveries of each offset by the gateway's current incarnation.</summary>
        public Dictionary<long, int> Deliveries { get; } = [];
    }
}
