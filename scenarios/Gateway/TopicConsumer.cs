using Grpc.Core;
using Sim.Stack.Gateway;
using Sim.Stack.Host;

namespace Sim.Scenarios.Gateway;

/// <summary>
/// A party's consumer of the topics other parties produce to it, at its own gateway: it drains each topic's head in
/// turn, processes a message once (an offset it has passed is a redelivery: acknowledged again, not processed again),
/// then acknowledges it.
/// </summary>
public sealed class TopicConsumer
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(2);

    private readonly IHost host;
    private readonly GatewayClient client;
    private readonly Dictionary<string, long> processed = new(StringComparer.Ordinal);
    private int next;

    private TopicConsumer(IHost host, GatewayClient client)
    {
        this.host = host;
        this.client = client;
    }

    public int Processed { get; private set; }

    public int Redelivered { get; private set; }

    public static TopicConsumer Start(IHost host, GatewayClient client)
    {
        var consumer = new TopicConsumer(host, client);
        host.Spawn("consumer", consumer.RunAsync);
        return consumer;
    }

    private async Task RunAsync(CancellationToken lifetime)
    {
        var topics = GatewayTopology.Parties.Where(p => p != client.Party).Select(PartyApp.TopicFrom).ToList();
        // A topic is drained before the next one's turn: an empty poll waits out the gateway's long poll, so taking
        // turns after every message would let a backlog outlast the settling bound.
        for (var turn = 0; !lifetime.IsCancellationRequested;)
        {
            var topic = topics[turn % topics.Count];
            try
            {
                var message = await client.ConsumeAsync(topic, $"{host.Name}-{++next}", Timeout, lifetime);
                if (message is null)
                {
                    turn++;
                    continue;
                }

                if (message.Offset > processed.GetValueOrDefault(topic, -1))
                {
                    processed[topic] = message.Offset;
                    Processed++;
                    host.Log.Event(new MessageProcessed(topic, message.Offset, message.MsgId, client.Party));
                }
                else
                {
                    Redelivered++;
                }

                await client.AckAsync(topic, message.Offset, $"{host.Name}-{++next}", Timeout, lifetime);
            }
            catch (RpcException)
            {
                turn++;
                // The gateway is down or unreachable, or the ack was lost (the message comes again): try again shortly.
                await host.Clock.Delay(TimeSpan.FromMilliseconds(100), lifetime);
            }
        }
    }

    public override string ToString() => $"{Processed} message(s) processed, {Redelivered} redelivery(ies) acknowledged again";
}
