using System.Globalization;
using Google.Protobuf;
using Sim.Stack.Gateway.Contracts;
using Sim.Stack.Host;

namespace Sim.Stack.Gateway;

/// <summary>
/// OSX's transfer mode: a durable queue per topic at the destination party's gateway. A produced message gets the
/// topic's next offset, is written and flushed, and only then is visible and acknowledged to the producer; a producer's
/// retry (same message id) gets the same offset. Consumers take the head — the lowest unacknowledged offset — in order;
/// a delivered message stays invisible for the visibility timeout and is delivered again unless acknowledged first.
/// Acknowledgements are durable. A kill loses what was not flushed: those producers were never acknowledged.
/// </summary>
public sealed class TopicQueues
{
    private const string Prefix = "queue/";

    private readonly IHost host;
    private readonly TimeSpan visibility;
    private readonly Dictionary<string, Topic> topics = new(StringComparer.Ordinal);
    private long writes;

    private TopicQueues(IHost host, TimeSpan visibility)
    {
        this.host = host;
        this.visibility = visibility;
    }

    /// <summary>The queues as the disk left them.</summary>
    public static TopicQueues Recover(IHost host, TimeSpan visibility)
    {
        var queues = new TopicQueues(host, visibility);
        foreach (var key in host.Disk.Keys(Prefix))
        {
            var parts = key[Prefix.Length..].Split('/');
            var topic = queues.Get(parts[0]);
            var offset = long.Parse(parts[2], CultureInfo.InvariantCulture);
            if (parts[1] == "a")
            {
                topic.Acked.Add(offset);
                continue;
            }

            var message = QueueMessage.Parser.ParseFrom(host.Disk.Read(key));
            topic.Visible[offset] = message;
            topic.Offsets[message.MsgId] = offset;
            topic.Next = Math.Max(topic.Next, offset + 1);
        }

        foreach (var (name, topic) in queues.topics.OrderBy(t => t.Key, StringComparer.Ordinal))
        {
            host.Log.Event(new QueueRecovered(name, topic.Visible.ToDictionary(m => m.Key, m => m.Value.MsgId), topic.Acked.ToHashSet()));
        }

        return queues;
    }

    /// <summary>Stores <paramref name="message"/> durably (once per message id) and returns its offset.</summary>
    public async Task<long> ProduceAsync(string name, QueueMessage message, CancellationToken cancellationToken)
    {
        var topic = Get(name);
        if (!topic.Offsets.TryGetValue(message.MsgId, out var offset))
        {
            offset = topic.Next++;
            var stored = message.Clone();
            stored.Offset = offset;
            host.Disk.Write(Key(name, "m", offset), stored.ToByteArray());
            topic.Offsets[message.MsgId] = offset;
            topic.Pending[offset] = (stored, ++writes);
        }

        if (topic.Pending.ContainsKey(offset))
        {
            // A retry of a message written but not yet durable flushes too: any flush that completes covers the write.
            var upTo = writes;
            await host.Disk.FlushAsync(cancellationToken);
            Publish(upTo);
        }

        return offset;
    }

    /// <summary>The head of the topic, leased for the visibility timeout; null if none became deliverable within <paramref name="wait"/>.</summary>
    public async Task<QueueMessage?> ConsumeAsync(string name, TimeSpan wait, CancellationToken cancellationToken)
    {
        var topic = Get(name);
        var until = host.Clock.Elapsed + wait;
        while (true)
        {
            var now = host.Clock.Elapsed;
            var head = topic.Visible.Keys.Cast<long?>().FirstOrDefault(o => !topic.Acked.Contains(o!.Value));
            var wake = until;
            if (head is { } offset)
            {
                if (!topic.Leases.TryGetValue(offset, out var leased) || leased <= now)
                {
                    topic.Leases[offset] = now + visibility;
                    var delivery = topic.Deliveries[offset] = topic.Deliveries.GetValueOrDefault(offset) + 1;
                    host.Log.Event(new MessageDelivered(name, offset, topic.Visible[offset].MsgId, delivery));
                    return topic.Visible[offset];
                }

                wake = leased < until ? leased : until;
            }

            if (now >= until)
            {
                return null;
            }

            await topic.Changed.WaitAsync(host, wake - now, cancellationToken);
        }
    }

    /// <summary>Acknowledges the message at <paramref name="offset"/> durably; false if the topic has no such message.</summary>
    public async Task<bool> AckAsync(string name, long offset, CancellationToken cancellationToken)
    {
        var topic = Get(name);
        if (!topic.Visible.ContainsKey(offset))
        {
            return false;
        }

        if (topic.Acked.Contains(offset))
        {
            return true;
        }

        host.Disk.Write(Key(name, "a", offset), []);
        await host.Disk.FlushAsync(cancellationToken);
        if (topic.Acked.Add(offset))
        {
            topic.Leases.Remove(offset);
            host.Log.Event(new MessageAcked(name, offset));
            topic.Changed.Signal();
        }

        return true;
    }

    /// <summary>Makes every pending message written up to <paramref name="upTo"/> visible (a flush made it durable), in offset order.</summary>
    private void Publish(long upTo)
    {
        foreach (var (name, topic) in topics)
        {
            foreach (var (offset, (message, written)) in topic.Pending.Where(p => p.Value.Written <= upTo).OrderBy(p => p.Key).ToList())
            {
                topic.Pending.Remove(offset);
                topic.Visible[offset] = message;
                host.Log.Event(new MessageStored(name, offset, message.MsgId, message.Source));
                topic.Changed.Signal();
            }
        }
    }

    private Topic Get(string name) => topics.TryGetValue(name, out var topic) ? topic : topics[name] = new Topic();

    private static string Key(string topic, string kind, long offset) => $"{Prefix}{topic}/{kind}/{offset.ToString("D12", CultureInfo.InvariantCulture)}";

    /// <summary>One topic's state in this incarnation.</summary>
    private sealed class Topic
    {
        /// <summary>Durable messages by offset.</summary>
        public SortedDictionary<long, QueueMessage> Visible { get; } = [];

        /// <summary>Written, not yet known durable: the message and the write's sequence number.</summary>
        public Dictionary<long, (QueueMessage Message, long Written)> Pending { get; } = [];

        public HashSet<long> Acked { get; } = [];

        public Dictionary<string, long> Offsets { get; } = new(StringComparer.Ordinal);

        /// <summary>Until when each delivered offset is invisible.</summary>
        public Dictionary<long, TimeSpan> Leases { get; } = [];

        public Dictionary<long, int> Deliveries { get; } = [];

        public long Next { get; set; }

        /// <summary>Wakes every consumer waiting on the topic.</summary>
        public ChangeSignal Changed { get; } = new();
    }
}
