using Google.Protobuf;
using Grpc.Core;
using Sim.Stack.Gateway;
using Sim.Stack.Gateway.Contracts;
using Sim.Stack.Host;

namespace Sim.Scenarios.Gateway;

/// <summary>
/// Party 10001 turned hostile: a process holding a certificate of party 10001 that talks to other parties' gateways
/// directly and tries every rule at and past its edges — a forged source party, a permitted call and a denied one
/// (the two sides of 9999's allow rule), someone else's topic, hop counts of 1, 2 and 3 at an exchange (the limit is
/// two hops), a malformed header, and bursts past the rate limit; and, in a second loop, malformed headers and payloads,
/// raw messages with and without their own id, and a call 10000's table routes back at its own gateway. Each probe says what it expects
/// (<see cref="ProbeSent"/>); the probe checker judges each one.
/// </summary>
public sealed class HostileParty
{
    private const string Party = "10001";
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(2);

    private readonly IHost host;
    private readonly string name;
    private int next;

    private HostileParty(IHost host, string name)
    {
        this.host = host;
        this.name = name;
    }

    public int Probes { get; private set; }

    /// <summary>Probes <paramref name="victim"/> (party 9999's gateway) and <paramref name="exchange"/> every 0.4 s until <paramref name="until"/>; floods at the given times.</summary>
    public static HostileParty Start(IHost host, Live me, Live victim, Live exchange, Live looped, TimeSpan until, IReadOnlyList<TimeSpan> floods, int burst)
    {
        var party = new HostileParty(host, me.Name);
        var atVictim = new GatewayClient(host, victim.DnsName, GatewayTopology.GatewayPort, me.TlsTo(victim), Party);
        var atExchange = new GatewayClient(host, exchange.DnsName, GatewayTopology.GatewayPort, me.TlsTo(exchange), Party);
        var atLooped = new GatewayClient(host, looped.DnsName, GatewayTopology.GatewayPort, me.TlsTo(looped), Party);
        host.Spawn("probes", lifetime => party.ProbeAsync(atVictim, victim.Name, atExchange, exchange.Name, until, lifetime));
        host.Spawn("malformed", lifetime => party.MalformedAsync(atVictim, victim.Name, (atLooped, looped), until, lifetime));
        host.Spawn("floods", lifetime => party.FloodAsync(atVictim, victim.Name, floods, burst + 4, lifetime));
        return party;
    }

    private async Task ProbeAsync(GatewayClient victim, string victimName, GatewayClient exchange, string exchangeName, TimeSpan until, CancellationToken lifetime)
    {
        for (var turn = 0; host.Clock.Elapsed < until; turn++)
        {
            await host.Clock.Delay(TimeSpan.FromMilliseconds(400), lifetime);
            var id = $"{name}-{++next}";
            var (probe, at, gateway, headers, expect) = (turn % 8) switch
            {
                0 => ("forged-source", victim, victimName, Call(victim, id, "9999", source: "9999"),
                    ProbeExpectation.Refused(StatusCode.PermissionDenied, $"'{name}' speaks for party {Party}, not for party 9999")),
                1 => ("permitted-call", victim, victimName, Call(victim, id, "9999"), ProbeExpectation.LetThrough),
                2 => ("denied-call", victim, victimName, Call(victim, id, "10000"),
                    ProbeExpectation.Refused(StatusCode.PermissionDenied, $"party {Party} may not call 10000")),
                3 => ("foreign-topic", victim, victimName, Consume(victim, id),
                    ProbeExpectation.Refused(StatusCode.PermissionDenied, $"party {Party} may not take messages from topics of party 9999: only its own applications do")),
                4 => ("one-hop-so-far", exchange, exchangeName, Call(exchange, id, "9999", hops: 1), ProbeExpectation.LetThrough),
                5 => ("two-hops-so-far", exchange, exchangeName, Call(exchange, id, "9999", hops: 2),
                    ProbeExpectation.Refused(StatusCode.FailedPrecondition, $"hop limit exceeded: request {id} to party 9999 would take gateway hop 3 (limit 2)")),
                6 => ("three-hops-so-far", exchange, exchangeName, Call(exchange, id, "9999", hops: 3),
                    ProbeExpectation.Refused(StatusCode.FailedPrecondition, $"hop limit exceeded: request {id} arrived after 3 gateway hops (limit 2)")),
                _ => ("unknown-method", victim, victimName, Call(victim, id, "9999", method: "DELETE_MSG"),
                    ProbeExpectation.Refused(StatusCode.InvalidArgument, $"TargetMethod 'DELETE_MSG' is not one of {string.Join(", ", GatewayMethods.All)}")),
            };
            await SendAsync(at, gateway, id, probe, headers, expect, lifetime);
        }
    }

    /// <summary>
    /// Headers and payloads past the protocol's edges, 0.2 s after each rule probe: a topic with '/', an offset and a
    /// hop count that are no numbers, no component, a party id that is no digits, an empty and a missing TraceID, a
    /// PRODUCE_MSG payload that is no message; messages with their own id and with none (the gateway must keep the
    /// message id, else take the TraceID); and a call to party 20008, which 10000's table routes back at 10000's gateway.
    /// </summary>
    private async Task MalformedAsync(GatewayClient victim, string victimName, (GatewayClient Client, Live Gateway) looped, TimeSpan until, CancellationToken lifetime)
    {
        await host.Clock.Delay(TimeSpan.FromMilliseconds(200), lifetime);
        for (var turn = 0; host.Clock.Elapsed < until; turn++)
        {
            await host.Clock.Delay(TimeSpan.FromMilliseconds(400), lifetime);
            var id = $"{name}-{++next}";
            var (probe, headers, payload, expect) = Malformed(victim, id, turn % 11, looped.Gateway);
            await SendAsync(turn % 11 == 10 ? looped.Client : victim, turn % 11 == 10 ? looped.Gateway.Name : victimName, id, probe, headers, expect, lifetime, payload);
        }
    }

    private static (string Probe, Dictionary<string, string> Headers, ByteString? Payload, ProbeExpectation Expect) Malformed(GatewayClient at, string id, int kind, Live looped)
    {
        static ProbeExpectation Invalid(string detail) => ProbeExpectation.Refused(StatusCode.InvalidArgument, detail);
        var topic = PartyApp.TopicFrom(Party);
        var headers = kind switch
        {
            0 => Queue(at, id, GatewayMethods.Produce, $"{topic}/../ledger"),
            1 => Queue(at, id, GatewayMethods.Ack, topic),
            7 or 8 or 9 => Queue(at, id, GatewayMethods.Produce, topic),
            10 => Call(at, id, RouteTables.LoopParty),
            _ => Call(at, id, "9999"),
        };
        switch (kind)
        {
            case 1:
                headers[GatewayHeaders.MessageOffset] = "x1";
                break;
            case 2:
                headers[GatewayHeaders.HopCount] = "two";
                break;
            case 3:
                headers.Remove(GatewayHeaders.TargetComponentName);
                break;
            case 4:
                headers[GatewayHeaders.TargetNodeId] = "party-9999";
                break;
            case 5:
                headers[GatewayHeaders.TraceId] = "";
                break;
            case 6:
                headers.Remove(GatewayHeaders.TraceId);
                break;
        }

        return kind switch
        {
            0 => ("topic-with-slash", headers, null, Invalid($"{GatewayMethods.Produce} needs a {GatewayHeaders.MessageTopic} header: a non-empty name without '/'")),
            1 => ("offset-not-a-number", headers, null, Invalid($"{GatewayHeaders.MessageOffset} must be a message offset (a whole number)")),
            2 => ("hop-count-not-a-number", headers, null, Invalid($"{GatewayHeaders.HopCount} must be a whole number, not 'two'")),
            3 => ("no-component", headers, null, ProbeExpectation.Refused(StatusCode.Unavailable, "no route to party 9999 component default")),
            4 => ("party-id-not-digits", headers, null, Invalid($"{GatewayHeaders.TargetNodeId} must be a party id (a string of digits), not 'party-9999'")),
            5 or 6 => (kind == 5 ? "empty-trace-id" : "no-trace-id", headers, null, Invalid($"missing header {GatewayHeaders.TraceId}")),
            7 => ("payload-not-a-message", headers, ByteString.CopyFrom(0xFF, 0xFF, 0xFF, 0xFF), ProbeExpectation.RefusedStartingWith(StatusCode.InvalidArgument, $"{GatewayMethods.Produce} payload is not a message: ")),
            8 => ("own-message-id", headers, new QueueMessage { MsgId = OwnMessageId(id), Body = ByteString.CopyFromUtf8("raw") }.ToByteString(), ProbeExpectation.LetThrough),
            9 => ("no-message-id", headers, new QueueMessage { Body = ByteString.CopyFromUtf8("raw") }.ToByteString(), ProbeExpectation.LetThrough),
            _ => ("routing-loop", headers, null, ProbeExpectation.Refused(StatusCode.FailedPrecondition, $"route_table.{RouteTables.LoopParty}.default points back at this gateway ({looped.DnsName}:{GatewayTopology.GatewayPort}): a routing loop")),
        };
    }

    /// <summary>The message id a raw PRODUCE_MSG of request <paramref name="requestId"/> gives its message (not the TraceID).</summary>
    public static string OwnMessageId(string requestId) => $"{requestId}-m";

    private async Task FloodAsync(GatewayClient victim, string victimName, IReadOnlyList<TimeSpan> floods, int size, CancellationToken lifetime)
    {
        foreach (var at in floods)
        {
            await host.Clock.Delay(at - host.Clock.Elapsed, lifetime);
            await Task.WhenAll(Enumerable.Range(0, size).Select(_ =>
            {
                var id = $"{name}-{++next}";
                return SendAsync(victim, victimName, id, "flood", Call(victim, id, "9999"), ProbeExpectation.LetThrough, lifetime);
            }));
        }
    }

    private async Task SendAsync(GatewayClient at, string gateway, string id, string probe, Dictionary<string, string> headers, ProbeExpectation expect, CancellationToken lifetime, ByteString? payload = null)
    {
        Probes++;
        host.Log.Event(new ProbeSent(id, probe, gateway, expect));
        try
        {
            var reply = await at.InvokeAsync(headers, payload ?? ByteString.CopyFromUtf8("{\"job\":\"exfiltrate\"}"), Timeout, lifetime);
            if (headers.GetValueOrDefault(GatewayHeaders.TargetMethod) == GatewayMethods.Produce
                && (reply.Code != "0" || reply.Message != "ok" || !reply.Metadata.ContainsKey(GatewayHeaders.MessageOffset)))
            {
                host.Log.Event(new MalformedReply(id, $"PRODUCE_MSG answered OK with code '{reply.Code}', message '{reply.Message}', {(reply.Metadata.ContainsKey(GatewayHeaders.MessageOffset) ? "an" : "no")} offset"));
            }

            host.Log.Event(new ProbeDone(id, StatusCode.OK, ""));
        }
        catch (RpcException e)
        {
            host.Log.Event(new ProbeDone(id, e.StatusCode, e.Status.Detail));
        }
    }

    private static Dictionary<string, string> Call(GatewayClient at, string id, string target, string source = Party, int hops = 0, string method = GatewayMethods.Unary)
    {
        var headers = at.Headers(target, method, id, RouteTables.Fateflow);
        headers[GatewayHeaders.SourceNodeId] = source;
        if (hops > 0)
        {
            headers[GatewayHeaders.HopCount] = hops.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        return headers;
    }

    private static Dictionary<string, string> Queue(GatewayClient at, string id, string method, string topic)
    {
        var headers = at.Headers("9999", method, id);
        headers[GatewayHeaders.MessageTopic] = topic;
        return headers;
    }

    private static Dictionary<string, string> Consume(GatewayClient at, string id)
    {
        var headers = at.Headers("9999", GatewayMethods.Consume, id);
        headers[GatewayHeaders.MessageTopic] = PartyApp.TopicFrom("10000");
        return headers;
    }

    public override string ToString() => $"{Probes} probe(s) sent";
}
