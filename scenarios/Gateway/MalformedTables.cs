using System.Text.Json.Nodes;
using Sim.Stack.Gateway;

namespace Sim.Scenarios.Gateway;

/// <summary>
/// The operator's pushes beyond the five broken tables: one table for each way route_table.json can be wrong (each with
/// the exact error, JSON path first, the gateway must refuse it with), and one valid table in an unusual spelling the
/// gateway must take (comments, trailing commas, an entry's createTime/updateTime, an explicit grpc protocol, an https
/// endpoint beside a grpc one, a permission without default_allow). All are 10000's table A with one thing changed.
/// </summary>
public static class MalformedTables
{
    private const string Party = "10000";
    private const string Idle = "route_table.20009";

    /// <summary>Every breakage: name, text, the error.</summary>
    public static IReadOnlyList<(string Name, string Text, string Error)> All(RouteTables tables, GatewayTopology topology)
    {
        var ip = topology.Impostor!.Address;
        var good = tables.For(Party, false);
        string Idled(JsonNode? value) => tables.Edit(Party, t => t["route_table"]!["20009"] = value);
        string Endpoint(JsonObject endpoint) => Idled(RouteTables.Entry(RouteTable.Default, endpoint));
        string Permission(Action<JsonObject> edit) => tables.Edit(Party, t => edit((JsonObject)t["permission"]!));
        string Tls(string without)
        {
            var endpoint = RouteTables.Tls(ip, "gw20009.party-20009");
            endpoint.Remove(without);
            return Endpoint(endpoint);
        }

        var at = $"{Idle}.default[0]";
        return
        [
            ("invalid-json-mid", $"{{\n  \"route_table\": {{\n    \"{Party}\": {{ \"fateflow\": [ {{ \"ip\": \"{ip}\" \"port\": 9360 }} ] }}\n  }}\n}}\n",
                $"invalid JSON at line 3, position {41 + ip.Length}: '\"' is invalid after a value. Expected either ',', '}}', or ']'."),
            ("not-an-object", "[]\n", "a route table is a JSON object with \"route_table\" (and \"permission\"), not a list"),
            ("no-route-table", tables.Edit(Party, t => t.Remove("route_table")), "route_table: required"),
            ("route-table-not-object", tables.Edit(Party, t => t["route_table"] = Party), $"route_table: must be an object of party ids, not the string \"{Party}\""),
            ("party-twice", good.Replace("\"route_table\": {", $"\"route_table\": {{\n    \"9999\": {{ \"default\": [ {{ \"ip\": \"{ip}\", \"port\": 1 }} ] }},", StringComparison.Ordinal),
                "route_table.9999: the party appears twice"),
            ("empty-party-id", tables.Edit(Party, t => t["route_table"]![""] = RouteTables.Entry(RouteTable.Default, new JsonObject { ["ip"] = ip, ["port"] = 1 })),
                "route_table.: party id must be a string of digits or \"default\""),
            ("party-not-object", Idled(5), $"{Idle}: must be an object of component names, not the number 5"),
            ("empty-component-name", Idled(RouteTables.Entry("", new JsonObject { ["ip"] = ip, ["port"] = 1 })), $"{Idle}.: a component name must not be empty"),
            ("component-twice", good.Replace("\"fateflow\": [", $"\"fateflow\": [ {{ \"ip\": \"{ip}\", \"port\": 1 }} ],\n      \"fateflow\": [", StringComparison.Ordinal),
                $"route_table.{Party}.fateflow: the component appears twice"),
            ("no-endpoints", Idled(new JsonObject { [RouteTable.Default] = new JsonArray() }), $"{Idle}.default: must be a non-empty list of endpoints, not a list"),
            ("endpoints-not-list", Idled(new JsonObject { [RouteTable.Default] = new JsonObject { ["ip"] = ip } }), $"{Idle}.default: must be a non-empty list of endpoints, not an object"),
            ("endpoint-null", Idled(new JsonObject { [RouteTable.Default] = new JsonArray((JsonNode?)null) }), $"{at}: an endpoint is an object with ip and port (or url), not null"),
            ("tls-without-ca", Tls("caFile"), $"{at}.caFile: required when useSSL is true"),
            ("tls-without-chain", Tls("certChainFile"), $"{at}.certChainFile: required when useSSL is true"),
            ("tls-without-key", Tls("privateKeyFile"), $"{at}.privateKeyFile: required when useSSL is true"),
            ("url-not-http", Endpoint(new JsonObject { ["protocol"] = "http", ["url"] = $"ftp://{ip}/route" }), $"{at}.url: 'ftp://{ip}/route' is not an http or https URL"),
            ("grpc-without-ip", Endpoint(new JsonObject { ["port"] = 1 }), $"{at}.ip: required for protocol grpc"),
            ("grpc-without-port", Endpoint(new JsonObject { ["ip"] = ip }), $"{at}.port: required for protocol grpc"),
            ("port-a-string", Endpoint(new JsonObject { ["ip"] = ip, ["port"] = "9370" }), $"{at}.port: must be a whole number, not the string \"9370\""),
            ("port-a-fraction", Endpoint(new JsonObject { ["ip"] = ip, ["port"] = 1.5 }), $"{at}.port: must be a whole number, not the number 1.5"),
            ("ip-a-number", Endpoint(new JsonObject { ["ip"] = 5, ["port"] = 1 }), $"{at}.ip: must be a non-empty string, not the number 5"),
            ("grpc-url-not-string", Endpoint(new JsonObject { ["ip"] = ip, ["port"] = 1, ["url"] = true }), $"{at}.url: must be a non-empty string, not true"),
            ("ssl-not-bool", Endpoint(new JsonObject { ["ip"] = ip, ["port"] = 1, ["useSSL"] = "yes" }), $"{at}.useSSL: must be true or false, not the string \"yes\""),
            ("permission-not-object", tables.Edit(Party, t => t["permission"] = new JsonArray()), "permission: must be an object, not a list"),
            ("default-allow-not-bool", Permission(p => p["default_allow"] = 1), "permission.default_allow: must be true or false, not the number 1"),
            ("rules-not-list", Permission(p => p["deny"] = new JsonObject()), "permission.deny: must be a list of rules {\"from\": party, \"to\": party}, not an object"),
            ("rule-not-object", Permission(p => p["deny"] = new JsonArray("10001")), "permission.deny[0]: a rule is an object {\"from\": party, \"to\": party}, not the string \"10001\""),
            ("rule-without-from", Permission(p => p["deny"] = new JsonArray(new JsonObject { ["to"] = Party })), "permission.deny[0].from: required"),
            ("rule-from-not-party", Permission(p => p["allow"] = new JsonArray(new JsonObject { ["from"] = "x" })), "permission.allow[0].from: party id must be a string of digits, not 'x'"),
            ("rule-to-not-party", Permission(p => p["deny"] = new JsonArray(new JsonObject { ["from"] = "10001", ["to"] = RouteTable.Default })),
                "permission.deny[0].to: party id must be a string of digits, not 'default'"),
        ];
    }

    /// <summary>10000's table A as an operator might spell it; it routes as table A does.</summary>
    public static string Unusual(RouteTables tables, GatewayTopology topology)
    {
        var ip = topology.Impostor!.Address;
        var text = tables.Edit(Party, t =>
        {
            var own = (JsonObject)t["route_table"]![Party]!;
            own[RouteTables.Fateflow]![0]!["protocol"] = "grpc";
            own["createTime"] = "2024-05-01 10:00:00";
            own["updateTime"] = "2024-05-02 10:00:00";
            t["route_table"]!["20009"] = new JsonObject
            {
                [RouteTable.Default] = new JsonArray(
                    new JsonObject { ["ip"] = ip, ["port"] = GatewayTopology.GatewayPort + 9 },
                    new JsonObject { ["protocol"] = "http", ["url"] = $"https://{ip}:9443/v1/route" }),
            };
            ((JsonObject)t["permission"]!).Remove("default_allow");
            t["version"] = 3;
        });
        return "// pushed by an operator who comments tables and leaves trailing commas\n" + text[..text.LastIndexOf('}')].TrimEnd() + ",\n}\n";
    }
}
