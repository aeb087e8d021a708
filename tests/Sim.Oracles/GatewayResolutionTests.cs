using Sim.Stack.Gateway;

namespace Sim.Oracles;

/// <summary>
/// What `sim gateway check` shows a user for a route_table.json: where every (party, component) pair resolves, each
/// endpoint as it is printed, for a gateway of a party the table names, of one it does not name, and for no party.
/// And the rate limit's exact edge: a party sending exactly at its rate is admitted every time. Oracle cases of their
/// own: the scenario's gateways never print the resolution table, and a network with jittered latency never lands a
/// request on the instant the bucket holds exactly one token.
/// </summary>
public sealed class GatewayResolutionTests
{
    // Every endpoint shape: plain grpc, grpc over TLS with and without a hostname, http; an entry with a component and
    // a default, one with a default only, the global default with its own component.
    private const string Table = """
        {
          "route_table": {
            "10000": {
              "fateflow": [ { "ip": "10.0.0.2", "port": 9360 } ],
              "default": [ { "ip": "10.0.0.1", "port": 9370, "useSSL": true, "caFile": "ca.crt", "certChainFile": "client.crt", "privateKeyFile": "client.key", "hostname": "gw10000.example" } ]
            },
            "9999": { "default": [ { "ip": "10.9.0.1", "port": 9370, "useSSL": true, "caFile": "ca.crt", "certChainFile": "client.crt", "privateKeyFile": "client.key" } ] },
            "default": {
              "serving": [ { "protocol": "http", "url": "http://10.1.0.2:8080/v1/serving" } ],
              "default": [ { "ip": "10.1.0.1", "port": 9370 } ]
            }
          }
        }
        """;

    private static readonly string[] Others =
    [
        "10000/fateflow -> route_table.10000.fateflow: grpc 10.0.0.2:9360",
        "10000/serving -> route_table.10000.default: grpc 10.0.0.1:9370 tls gw10000.example",
        "10000/default -> route_table.10000.default: grpc 10.0.0.1:9370 tls gw10000.example",
        "9999/fateflow -> route_table.9999.default: grpc 10.9.0.1:9370 tls 10.9.0.1",
        "9999/serving -> route_table.9999.default: grpc 10.9.0.1:9370 tls 10.9.0.1",
        "9999/default -> route_table.9999.default: grpc 10.9.0.1:9370 tls 10.9.0.1",
        "default/fateflow -> route_table.default.default: grpc 10.1.0.1:9370",
        "default/serving -> route_table.default.serving: http http://10.1.0.2:8080/v1/serving",
        "default/default -> route_table.default.default: grpc 10.1.0.1:9370",
    ];

    [Fact]
    [Trait("Category", InvariantOracleTests.Category)]
    public void EveryPartyAndComponentOfTheTableResolvesAsPrinted() => Assert.Equal(Others, Rows(null));

    [Fact]
    [Trait("Category", InvariantOracleTests.Category)]
    public void AnOwnPartyTheTableDoesNotNameComesFirstAndHasNoRoute()
    {
        string[] own = ["10001/fateflow -> no route", "10001/serving -> no route", "10001/default -> no route"];

        Assert.Equal([.. own, .. Others], Rows("10001"));
    }

    [Fact]
    [Trait("Category", InvariantOracleTests.Category)]
    public void AnOwnPartyTheTableNamesIsListedOnceInItsPlace() => Assert.Equal(Others, Rows("10000"));

    [Fact]
    [Trait("Category", InvariantOracleTests.Category)]
    public void APartySendingExactlyAtItsRateIsAlwaysAdmitted()
    {
        var bucket = new TokenBucket(2, 1, TimeSpan.Zero);
        var half = TimeSpan.FromMilliseconds(500);

        Assert.Equal(
            [true, false, true, false, true],
            [bucket.TryTake(TimeSpan.Zero), bucket.TryTake(TimeSpan.Zero), bucket.TryTake(half), bucket.TryTake(half), bucket.TryTake(half * 2)]);
    }

    private static string[] Rows(string? own) =>
        [.. RouteTableParser.Parse(Table).Resolutions(own).Select(r => $"{r.Party}/{r.Component} -> {(r.Match is { } m ? $"{m.Path}: {string.Join(" | ", m.Endpoints)}" : "no route")}")];
}
