using System.Globalization;
using Google.Protobuf;
using Grpc.Core;
using Sim.Stack.Gateway;
using Sim.Stack.Gateway.Contracts;
using Sim.Stack.Host;

namespace Sim.Scenarios.Gateway;

/// <summary>
/// A party's consumer of the topics other parties produce to it, at its own gateway: it drains each topic's head in
/// turn, processes a message once (an offset it has passed is a redelivery: acknowledged again, not processed again),
/// then acknowledges it. Each CONSUME_MSG and ACK_MSG is reported (<see cref="ConsumeEnded"/>). A raw consumer speaks
/// the protocol itself, as OSX's own clients do, and reports a reply that does not read as the protocol says
/// (<see cref="MalformedReply"/>). Now and then it acknowledges a message a second time (which must succeed) and an
/// offset its topic never had (which must be refused <c>NotFound</c>), each as a probe (<see cref="ProbeSent"/>).
/// </summary>
public sealed class TopicConsumer
{
    /// <summary>An offset no topic of the run reaches.</summary>
    public const long Unknown = 1_000_000;

    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(2);

    private readonly IHost host;
    private readonly GatewayClient client;
    private readonly string gateway;
    private readonly TimeSpan consumeWait;
    private readonly bool raw;
    private readonly Dictionary<string, long> processed = new(StringComparer.Ordinal);
    private int next;
    private int empties;

    private TopicConsumer(IHost host, GatewayClient client, string gateway, TimeSpan consumeWait, bool raw)
    {
        this.host = host;
        this.client = client;
        this.gateway = gateway;
        this.consumeWait = consumeWait;
        this.raw = raw;
    }

    public int Processed { get; private set; }

    public int Redelivered { get; private set; }

    /// <param name="gateway">The name of the party's gateway process (probes name it).</param>
    /// <param name="consumeWait">The gateway's long poll (a raw consumer checks the NO_MESSAGE text names it).</param>
    /// <param name="raw">Speak the protocol directly instead of through <see cref="GatewayClient.ConsumeAsync"/>.</param>
    public static TopicConsumer Start(IHost host, GatewayClient client, string gateway, TimeSpan consumeWait, bool raw)
    {
        var consumer = new TopicConsumer(host, client, gateway, consumeWait, raw);
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
            var started = host.Clock.Elapsed;
            var acking = false;
            try
            {
                var message = await ConsumeAsync(topic, lifetime);
                host.Log.Event(new ConsumeEnded(gateway, topic, GatewayMethods.Consume, message is null, host.Clock.Elapsed - started, StatusCode.OK, ""));
                if (message is null)
                {
                    turn++;
                    if (++empties % 3 == 0)
                    {
                        await ProbeAckAsync(topic, Unknown, "ack-unknown-offset", ProbeExpectation.Refused(StatusCode.NotFound, $"topic {topic} has no message at offset {Unknown}"), lifetime);
                    }

                    continue;
                }

                if (message.Offset > processed.GetValueOrDefault(topic, -1))
                {
                    processed[topic] = message.Offset;
                    Processed++;
                    host.Log.Event(new MessageProcessed(topic, message.Offset, message.MsgId, client.Party, message.Body.ToStringUtf8()));
                }
                else
                {
                    Redelivered++;
                }

                acking = true;
                await AckAsync(topic, message.Offset, lifetime);
                if (Processed % 5 == 0)
                {
                    await ProbeAckAsync(topic, message.Offset, "ack-again", ProbeExpectation.LetThrough, lifetime);
                }
            }
            catch (RpcException e)
            {
                turn++;
                if (!acking)
                {
                    host.Log.Event(new ConsumeEnded(gateway, topic, GatewayMethods.Consume, false, host.Clock.Elapsed - started, e.StatusCode, e.Status.Detail));
                }

                // The gateway is down or unreachable, or the ack was lost (the message comes again): try again shortly.
                await host.Clock.Delay(TimeSpan.FromMilliseconds(100), lifetime);
            }
        }
    }

    private async Task AckAsync(string topic, long offset, CancellationToken lifetime)
    {
        var started = host.Clock.Elapsed;
        try
        {
            await client.AckAsync(topic, offset, $"{host.Name}-{++next}", Timeout, lifetime);
            host.Log.Event(new ConsumeEnded(gateway, topic, GatewayMethods.Ack, false, host.Clock.Elapsed - started, StatusCode.OK, ""));
        }
        catch (RpcException e)
        {
            host.Log.Event(new ConsumeEnded(gateway, topic, GatewayMethods.Ack, false, host.Clock.Elapsed - started, e.StatusCode, e.Status.Detail));
            throw;
        }
    }

    private async Task<QueueMessage?> ConsumeAsync(string topic, CancellationToken lifetime)
    {
        var id = $"{host.Name}-{++next}";
        if (!raw)
        {
            return await client.ConsumeAsync(topic, id, Timeout, lifetime);
        }

        var headers = client.Headers(client.Party, GatewayMethods.Consume, id);
        headers[GatewayHeaders.MessageTopic] = topic;
        var reply = await client.InvokeAsync(headers, ByteString.Empty, Timeout, lifetime);
        var empty = $"no message on {topic} within {consumeWait.TotalSeconds.ToString(CultureInfo.InvariantCulture)}s";
        if (reply.Code == "NO_MESSAGE" && reply.Message == empty)
        {
            return null;
        }

        if (reply.Code != "0" || reply.Message != "ok" || !reply.Metadata.ContainsKey(GatewayHeaders.MessageOffset) || reply.Payload.IsEmpty)
        {
            host.Log.Event(new MalformedReply(id, $"CONSUME_MSG answered code '{reply.Code}', message '{reply.Message}', {reply.Payload.Length} payload byte(s); the protocol says code 0, 'ok', an offset and the message, or NO_MESSAGE, '{empty}'"));
            return null;
        }

        return QueueMessage.Parser.ParseFrom(reply.Payload);
    }

    private async Task ProbeAckAsync(string topic, long offset, string probe, ProbeExpectation expect, CancellationToken lifetime)
    {
        var id = $"{host.Name}-{++next}";
        host.Log.Event(new ProbeSent(id, probe, gateway, expect));
        try
        {
            await client.AckAsync(topic, offset, id, Timeout, lifetime);
            host.Log.Event(new ProbeDone(id, StatusCode.OK, ""));
        }
        catch (RpcException e)
        {
            host.Log.Event(new ProbeDone(id, e.StatusCode, e.Status.Detail));
        }
    }

    public override string ToString() => $"{Processed} message(s) processed, {Redelivered} redelivery(ies) acknowledged again";
}
