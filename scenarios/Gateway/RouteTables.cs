using System.Text.Json;
using System.Text.Json.Nodes;
using Sim.Stack.Gateway;

namespace Sim.Scenarios.Gateway;

/// <summary>
/// The route tables of gateway-routing, in route_table.json's format (the shapes of scenarios/Gateway's two samples):
/// each party gateway has two good versions it switches between while traffic flows (A and B), five broken versions
/// an administrator may push or write by mistake (each with the exact error the gateway must give), and the
/// exchanges have a table before and after party 10001 joins.
/// </summary>
/// <remarks>
/// 9999 is the direct shape: in A the entry for 10000 names its gateway and the global default names exchange-a; in B
/// 10001's entry names its gateway and 10000 goes through the global default, exchange-b (a party moved between the
/// direct and the exchange shape while traffic flows); 20000 names an impostor's address under a hostname its certificate
/// does not carry; idle parties 20001.. stand for parties that are configured but not running. 10000 is direct too,
/// with its fateflow moved to a spare job service in B, and an entry for 20008 that points back at its own gateway (a
/// loop it must refuse). 10001 is the exchange shape: only its own fateflow (over http) and the global default, with no
/// permission in A and one without default_allow in B (both allow everyone). The entries come in an order that puts the changed ones last, as a table that grows does.
/// </remarks>
public sealed class RouteTables(GatewayTopology topology)
{
    public const string Fateflow = "fateflow";

    /// <summary>A component no party has: a request for it must end "no route" at the party's own gateway.</summary>
    public const string Missing = "fateboard";

    /// <summary>A party 10000's table routes to 10000's own gateway by its DNS name (a misconfiguration): a routing loop it must refuse.</summary>
    public const string LoopParty = "20008";

    /// <summary>Idle parties listed in 9999's table (their entries sit between the ones that change).</summary>
    public const int IdleParties = 10;

    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    /// <summary>A party gateway's table, version A or B.</summary>
    public string For(string party, bool b) => party switch
    {
        "9999" => Render(Party9999(b)),
        "10000" => Render(Party10000(b)),
        _ => Render(Party10001(b)),
    };

    /// <summary>An exchange's table: every party that has joined (10001 joins while the run goes).</summary>
    public string Exchange(bool joined)
    {
        var routes = new JsonObject();
        foreach (var party in GatewayTopology.Parties.Where(p => joined || p != "10001"))
        {
            routes[party] = Entry(RouteTable.Default, Gateway(topology.Gateways[party]));
        }

        return Render(Table(routes, new JsonObject { ["default_allow"] = true }));
    }

    /// <summary>10000's table A with an extra idle party 20009 whose endpoint is on <paramref name="port"/> (an edge of the port range).</summary>
    public string WithPort(int port)
    {
        var table = Party10000(false);
        table["route_table"]!["20009"] = Entry(RouteTable.Default, new JsonObject { ["ip"] = topology.Impostor!.Address, ["port"] = port });
        return Render(table);
    }

    /// <summary>Five broken versions of a party's table A, each with the error the gateway must refuse it with.</summary>
    public IReadOnlyList<(string Name, string Text, string Error)> Broken(string party)
    {
        var own = $"route_table.{party}.{Fateflow}[0]";
        var other = party == "9999" ? "10000" : party == "10000" ? "9999" : RouteTable.Default;
        var good = For(party, false);
        return
        [
            ("invalid-json", good[..^3], "invalid JSON at line "),
            ("http-without-url", Edit(party, t => t["route_table"]![party]![Fateflow]![0] = new JsonObject { ["protocol"] = "http", ["ip"] = topology.Jobs[party].Address, ["port"] = GatewayTopology.ComponentPort }),
                $"{own}.url: required for protocol http"),
            ("port-out-of-range", Edit(party, t => t["route_table"]![other]![RouteTable.Default]![0]!["port"] = 65536),
                $"route_table.{other}.default[0].port: 65536 is out of range (1-65535)"),
            ("unknown-protocol", Edit(party, t => t["route_table"]![other]![RouteTable.Default]![0]!["protocol"] = "tcp"),
                $"route_table.{other}.default[0].protocol: unknown protocol \"tcp\" (known: grpc, http)"),
            ("bad-party-id", Edit(party, t => t["route_table"]![$"party-{party}"] = new JsonObject { [Fateflow] = new JsonArray(Component(topology.Jobs[party])) }),
                $"route_table.party-{party}: party id must be a string of digits or \"default\""),
        ];
    }

    /// <summary>The rewrite the config-rewrite fault applies to a party's table: A ↔ B, now and then a broken one, back to A from a broken one.</summary>
    public byte[] Rewrite(string party, Stack.Host.IRandomSource rng, byte[]? current)
    {
        var text = current is null ? "" : System.Text.Encoding.UTF8.GetString(current);
        var next = text == For(party, false)
            ? rng.NextDouble() < 0.8 ? For(party, true) : Broken(party)[rng.Next(5)].Text
            : For(party, false);
        return System.Text.Encoding.UTF8.GetBytes(next);
    }

    /// <summary>The error a party gateway must refuse <paramref name="text"/> with, "" for a table it must accept, null if unknown.</summary>
    public string? ExpectedError(string party, string text)
    {
        if (text == For(party, false) || text == For(party, true))
        {
            return "";
        }

        if (party == "10000")
        {
            // The operator's edge pushes land in 10000's file too (and a config rewrite's undo may put one back).
            foreach (var (port, error) in new[] { (1, ""), (65535, ""), (0, "route_table.20009.default[0].port: 0 is out of range (1-65535)"), (65536, "route_table.20009.default[0].port: 65536 is out of range (1-65535)") })
            {
                if (text == WithPort(port))
                {
                    return error;
                }
            }
        }

        if (party == "10000" && text == MalformedTables.Unusual(this, topology))
        {
            return "";
        }

        return Broken(party).Concat(party == "10000" ? MalformedTables.All(this, topology) : []).FirstOrDefault(b => b.Text == text).Error;
    }

    private JsonObject Party9999(bool b)
    {
        var routes = new JsonObject { ["9999"] = Entry(Fateflow, Component(topology.Jobs["9999"])) };
        if (b)
        {
            routes[RouteTable.Default] = Entry(RouteTable.Default, Gateway(topology.ExchangeB!));
        }

        if (!b)
        {
            routes["10000"] = Entry(RouteTable.Default, Gateway(topology.Gateways["10000"]));
        }

        routes["20000"] = Entry(RouteTable.Default, Tls(topology.Impostor!.Address, "gw20000.party-20000"));
        for (var i = 1; i <= IdleParties; i++)
        {
            routes[$"2000{i}"] = Entry(RouteTable.Default, new JsonObject { ["ip"] = topology.Impostor.Address, ["port"] = GatewayTopology.GatewayPort + i });
        }

        if (b)
        {
            routes["10001"] = Entry(RouteTable.Default, Gateway(topology.Gateways["10001"]));
        }
        else
        {
            routes[RouteTable.Default] = Entry(RouteTable.Default, Gateway(topology.ExchangeA!));
        }

        return Table(routes, new JsonObject
        {
            ["default_allow"] = false,
            ["allow"] = new JsonArray(new JsonObject { ["from"] = "10000" }, new JsonObject { ["from"] = "10001", ["to"] = "9999" }),
        });
    }

    private JsonObject Party10000(bool b) => Table(
        new JsonObject
        {
            ["10000"] = Entry(Fateflow, Component(b ? topology.SpareJobs! : topology.Jobs["10000"])),
            ["9999"] = Entry(RouteTable.Default, Gateway(topology.Gateways["9999"])),
            [RouteTable.Default] = Entry(RouteTable.Default, Gateway(topology.ExchangeA!)),
            [LoopParty] = Entry(RouteTable.Default, Tls(topology.Gateways["10000"].DnsName, topology.Gateways["10000"].DnsName)),
        },
        new JsonObject { ["default_allow"] = true, ["deny"] = new JsonArray(new JsonObject { ["from"] = "10001", ["to"] = "10000" }) });

    private JsonObject Party10001(bool b)
    {
        var routes = new JsonObject
        {
            ["10001"] = Entry(Fateflow, new JsonObject
            {
                ["protocol"] = "http",
                ["url"] = $"http://{topology.Jobs["10001"].Address}:{GatewayTopology.ComponentPort}/v2/partner/job",
            }),
            [RouteTable.Default] = Entry(RouteTable.Default, Gateway(b ? topology.ExchangeB! : topology.ExchangeA!)),
        };

        // A has no permission at all and B one without default_allow (both allow every party, as FATE's samples do).
        return b ? Table(routes, new JsonObject { ["deny"] = new JsonArray(new JsonObject { ["from"] = "20000" }) }) : new JsonObject { ["route_table"] = routes };
    }

    internal string Edit(string party, Action<JsonObject> edit)
    {
        var table = (JsonObject)JsonNode.Parse(For(party, false))!;
        edit(table);
        return Render(table);
    }

    private static JsonObject Table(JsonObject routes, JsonObject permission) => new() { ["route_table"] = routes, ["permission"] = permission };

    internal static JsonObject Entry(string component, JsonObject endpoint) => new() { [component] = new JsonArray(endpoint) };

    private static JsonObject Component(Live jobs) => new() { ["ip"] = jobs.Address, ["port"] = GatewayTopology.ComponentPort };

    private static JsonObject Gateway(Live gateway) => Tls(gateway.Address, gateway.DnsName);

    internal static JsonObject Tls(string ip, string hostname) => new()
    {
        ["ip"] = ip,
        ["port"] = GatewayTopology.GatewayPort,
        ["useSSL"] = true,
        ["hostname"] = hostname,
        ["caFile"] = "/data/projects/fate/osx/conf/cert/ca.crt",
        ["certChainFile"] = "/data/projects/fate/osx/conf/cert/client.crt",
        ["privateKeyFile"] = "/data/projects/fate/osx/conf/cert/client.key",
        ["negotiationType"] = "TLS",
    };

    private static string Render(JsonObject table) => table.ToJsonString(Indented) + "\n";
}
