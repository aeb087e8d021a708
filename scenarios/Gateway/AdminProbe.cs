using Grpc.Core;
using Sim.Stack.Gateway;
using Sim.Stack.Host;

namespace Sim.Scenarios.Gateway;

/// <summary>
/// Administrators pushing route tables (OSX's /v1/inner/router/set) while traffic flows. The operator joins party 10001
/// to both exchanges without restarting them (FATE issue 5700), then pushes tables at both edges of the port range and
/// the five kinds of broken table to 10000's gateway, and puts its table back; it does it again after the quiet point.
/// An intruder, whose certificate is no administrator's and speaks for no party, keeps trying to replace 9999's table
/// and to call through 9999's gateway in the name of party 10000. Each push and call says what it expects (<see cref="ProbeSent"/>).
/// </summary>
public sealed class AdminProbe
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(2);

    private readonly IHost host;
    private readonly Live me;
    private readonly Dictionary<string, GatewayClient> clients = new(StringComparer.Ordinal);
    private int next;

    private AdminProbe(IHost host, Live me)
    {
        this.host = host;
        this.me = me;
    }

    public int Pushes { get; private set; }

    /// <summary>The operator: joins 10001 at <paramref name="join"/>, then runs the edge pushes at each of <paramref name="rounds"/>.</summary>
    public static AdminProbe Operator(IHost host, Live me, GatewayTopology topology, RouteTables tables, TimeSpan join, IReadOnlyList<TimeSpan> rounds)
    {
        var admin = new AdminProbe(host, me);
        host.Spawn("operator", lifetime => admin.OperateAsync(topology, tables, join, rounds, lifetime));
        return admin;
    }

    /// <summary>The intruder: every 2 s until <paramref name="until"/>, tries to replace <paramref name="victim"/>'s table.</summary>
    public static AdminProbe Intruder(IHost host, Live me, Live victim, RouteTables tables, TimeSpan until)
    {
        var admin = new AdminProbe(host, me);
        host.Spawn("intruder", async lifetime =>
        {
            while (host.Clock.Elapsed < until)
            {
                await host.Clock.Delay(TimeSpan.FromSeconds(2), lifetime);
                await admin.PushAsync(victim, "intruder-push", tables.For("9999", true),
                    ProbeExpectation.Refused(StatusCode.PermissionDenied, $"'{me.Name}' is not an administrator of {victim.Name}"), lifetime);
                await admin.CallAsync(victim, "intruder-call",
                    ProbeExpectation.Refused(StatusCode.PermissionDenied, $"peer certificate '{me.Name}' speaks for no party {victim.Name} knows"), lifetime);
            }
        });
        return admin;
    }

    private async Task OperateAsync(GatewayTopology topology, RouteTables tables, TimeSpan join, IReadOnlyList<TimeSpan> rounds, CancellationToken lifetime)
    {
        await host.Clock.Delay(join, lifetime);
        foreach (var exchange in new[] { topology.ExchangeA!, topology.ExchangeB! })
        {
            // Joining must happen: the operator tries again until the exchange takes the table.
            while (await PushAsync(exchange, "join-10001", tables.Exchange(joined: true), ProbeExpectation.LetThrough, lifetime) != StatusCode.OK)
            {
                await host.Clock.Delay(TimeSpan.FromMilliseconds(500), lifetime);
            }
        }

        var target = topology.Gateways["10000"];
        foreach (var round in rounds)
        {
            await host.Clock.Delay(round - host.Clock.Elapsed, lifetime);
            foreach (var (probe, text, expect) in Edges(tables, topology))
            {
                // A push that never reached a decision (the connection broke, the session expired, the gateway was
                // down) is pushed again, as an operator would: only the gateway's answer judges the probe.
                for (var attempt = 0; attempt < 5 && await PushAsync(target, probe, text, expect, lifetime) == StatusCode.Unavailable; attempt++)
                {
                    await host.Clock.Delay(TimeSpan.FromMilliseconds(300), lifetime);
                }

                // A refused table changes nothing, so the next push need not wait for traffic to use this one.
                await host.Clock.Delay(TimeSpan.FromMilliseconds(expect.Admitted ? 300 : 50), lifetime);
            }
        }
    }

    /// <summary>The edge pushes: ports 65535 and 1 taken, 65536 and 0 refused, the five broken tables and every malformed one refused, the unusual spelling taken, then 10000's table A back.</summary>
    private static IEnumerable<(string Probe, string Text, ProbeExpectation Expect)> Edges(RouteTables tables, GatewayTopology topology)
    {
        const string Rejected = "route table rejected: ";
        yield return ("port-65535", tables.WithPort(65535), ProbeExpectation.LetThrough);
        yield return ("port-65536", tables.WithPort(65536), ProbeExpectation.Refused(StatusCode.InvalidArgument, Rejected + "route_table.20009.default[0].port: 65536 is out of range (1-65535)"));
        yield return ("port-1", tables.WithPort(1), ProbeExpectation.LetThrough);
        yield return ("port-0", tables.WithPort(0), ProbeExpectation.Refused(StatusCode.InvalidArgument, Rejected + "route_table.20009.default[0].port: 0 is out of range (1-65535)"));
        foreach (var (name, text, error) in tables.Broken("10000"))
        {
            yield return (name, text, name == "invalid-json"
                ? ProbeExpectation.RefusedStartingWith(StatusCode.InvalidArgument, Rejected + error)
                : ProbeExpectation.Refused(StatusCode.InvalidArgument, Rejected + error));
        }

        foreach (var (name, text, error) in MalformedTables.All(tables, topology))
        {
            yield return (name, text, ProbeExpectation.Refused(StatusCode.InvalidArgument, Rejected + error));
        }

        yield return ("unusual-spelling", MalformedTables.Unusual(tables, topology), ProbeExpectation.LetThrough);
        yield return ("restore", tables.For("10000", false), ProbeExpectation.LetThrough);
    }

    /// <summary>Calls party 9999's job service through <paramref name="gateway"/> in the name of party 10000.</summary>
    private async Task CallAsync(Live gateway, string probe, ProbeExpectation expect, CancellationToken lifetime)
    {
        var id = $"{me.Name}-{++next}";
        host.Log.Event(new ProbeSent(id, probe, gateway.Name, expect));
        try
        {
            await Client(gateway, "10000").CallAsync("9999", RouteTables.Fateflow, id, Google.Protobuf.ByteString.CopyFromUtf8("{\"job\":\"takeover\"}"), Timeout, lifetime);
            host.Log.Event(new ProbeDone(id, StatusCode.OK, ""));
        }
        catch (RpcException e)
        {
            host.Log.Event(new ProbeDone(id, e.StatusCode, e.Status.Detail));
        }
    }

    private GatewayClient Client(Live gateway, string party)
    {
        var key = $"{gateway.Name}/{party}";
        if (!clients.TryGetValue(key, out var client))
        {
            clients[key] = client = new GatewayClient(host, gateway.DnsName, GatewayTopology.GatewayPort, me.TlsTo(gateway), party);
        }

        return client;
    }

    /// <summary>Pushes one table; the status it ended with (OK: the gateway took it).</summary>
    private async Task<StatusCode> PushAsync(Live gateway, string probe, string text, ProbeExpectation expect, CancellationToken lifetime)
    {
        var id = $"{me.Name}-{++next}";
        Pushes++;
        host.Log.Event(new ProbeSent(id, probe, gateway.Name, expect));
        try
        {
            var version = await Client(gateway, "0").SetRouteTableAsync(text, Timeout, lifetime);
            host.Log.Event(new ProbeDone(id, StatusCode.OK, $"v{version}"));
            return StatusCode.OK;
        }
        catch (RpcException e)
        {
            host.Log.Event(new ProbeDone(id, e.StatusCode, e.Status.Detail));
            return e.StatusCode;
        }
    }

    public override string ToString() => $"{Pushes} table push(es)";
}
