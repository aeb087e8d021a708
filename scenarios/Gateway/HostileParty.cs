using Google.Protobuf;
using Grpc.Core;
using Sim.Stack.Gateway;
using Sim.Stack.Host;

namespace Sim.Scenarios.Gateway;

/// <summary>
/// Party 10001 turned hostile: a process holding a certificate of party 10001 that talks to other parties' gateways
/// directly and tries every rule at and past its edges — a forged source party, a permitted call and a denied one
/// (the two sides of 9999's allow rule), someone else's topic, hop counts of 1, 2 and 3 at an exchange (the limit is
/// two hops), a malformed header, and bursts past the rate limit. Each probe says what it expects
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
    public static HostileParty Start(IHost host, Live me, Live victim, Live exchange, TimeSpan until, IReadOnlyList<TimeSpan> floods, int burst)
    {
        var party = new HostileParty(host, me.Name);
        var atVictim = new GatewayClient(host, victim.DnsName, GatewayTopology.GatewayPort, me.TlsTo(victim), Party);
        var atExchange = new GatewayClient(host, exchange.DnsName, GatewayTopology.GatewayPort, me.TlsTo(exchange), Party);
        host.Spawn("probes", lifetime => party.ProbeAsync(atVictim, victim.Name, atExchange, exchange.Name, until, lifetime));
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

    private async Task SendAsync(GatewayClient at, string gateway, string id, string probe, Dictionary<string, string> headers, ProbeExpectation expect, CancellationToken lifetime)
    {
        Probes++;
        host.Log.Event(new ProbeSent(id, probe, gateway, expect));
        try
        {
            await at.InvokeAsync(headers, ByteString.CopyFromUtf8("{\"job\":\"exfiltrate\"}"), Timeout, lifetime);
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

    private static Dictionary<string, string> Consume(GatewayClient at, string id)
    {
        var headers = at.Headers("9999", GatewayMethods.Consume, id);
        headers[GatewayHeaders.MessageTopic] = PartyApp.TopicFrom("10000");
        return headers;
    }

    public override string ToString() => $"{Probes} probe(s) sent";
}
