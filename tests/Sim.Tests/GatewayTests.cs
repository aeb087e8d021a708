using Sim.Engine;
using Sim.Scenarios;
using Sim.Scenarios.Gateway;
using Sim.Shared;
using Sim.Stack.Defects;
using Sim.Stack.Gateway;
using Sim.Testing;
using Sim.Worlds;

namespace Sim.Tests;

/// <summary>Site gateways: route tables in FATE OSX's format, `sim gateway check`, and the gateway-routing scenario.</summary>
public sealed class GatewayTests
{
    private static readonly string Samples = Path.Combine(Repository.Root, "scenarios", "Gateway", "samples");

    [Theory]
    [InlineData("route_table.direct.json", 2)]
    [InlineData("route_table.exchange.json", 2)]
    public void TheSampleTablesLoadUnchanged(string file, int entries)
    {
        var table = RouteTableParser.Parse(File.ReadAllText(Path.Combine(Samples, file)));

        Assert.Equal(entries, table.Parties.Count);
        Assert.True(table.Permission.DefaultAllow);
    }

    [Fact]
    public void LookupTakesThePartyEntryElseTheGlobalDefaultThenTheComponentElseTheEntryDefault()
    {
        var exchange = RouteTableParser.Parse(File.ReadAllText(Path.Combine(Samples, "route_table.exchange.json")));
        var direct = RouteTableParser.Parse(File.ReadAllText(Path.Combine(Samples, "route_table.direct.json")));

        Assert.Equal("route_table.10001.fateflow", exchange.Resolve("10001", "fateflow")!.Path);
        Assert.Equal("route_table.10001.default", exchange.Resolve("10001", "fateboard")!.Path);
        Assert.Equal("route_table.default.default", exchange.Resolve("9999", "fateflow")!.Path);
        Assert.Equal("exchange.fate.example.org", exchange.Resolve("9999", "fateflow")!.Endpoints[0].ServerName);
        Assert.Equal(RouteProtocol.Http, exchange.Resolve("10001", "osx")!.Endpoints[0].Protocol);
        Assert.Equal("route_table.10000.default", direct.Resolve("10000", "fateflow")!.Path);
        Assert.Null(direct.Resolve("10001", "fateflow"));
        Assert.Null(exchange.ResolveOwn("9999", "fateflow"));
    }

    [Theory]
    [InlineData("invalid-json.json", "invalid JSON at line 29, position 1")]
    [InlineData("http-without-url.json", "route_table.10000.fateflow[0].url: required for protocol http")]
    [InlineData("port-out-of-range.json", "route_table.10000.default[0].port: 65536 is out of range (1-65535)")]
    [InlineData("unknown-protocol.json", "route_table.10000.default[0].protocol: unknown protocol \"tcp\" (known: grpc, http)")]
    [InlineData("bad-party-id.json", "route_table.party-10000: party id must be a string of digits or \"default\"")]
    public void CheckRefusesABrokenTableWithItsJsonPathAndExitTwo(string file, string error)
    {
        var path = Path.Combine(Samples, "broken", file);

        var (code, stdout, stderr) = CliTests.Sim("gateway", "check", path);

        Assert.Equal(ExitCodes.BadInput, code);
        Assert.Equal("", stdout);
        Assert.StartsWith($"sim: {path}: {error}", stderr, StringComparison.Ordinal);
        var thrown = Assert.Throws<RouteTableException>(() => RouteTableParser.Parse(File.ReadAllText(path)));
        Assert.StartsWith(error, thrown.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void CheckPrintsWhereEveryPartyAndComponentResolves()
    {
        var path = Path.Combine(Samples, "route_table.exchange.json");

        var (code, stdout, stderr) = CliTests.Sim("gateway", "check", path, "--party", "10001");

        Assert.True(code == ExitCodes.Ok, stderr);
        var lines = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        Assert.Equal($"{path}: a valid route table: 2 entries, 4 (party, component) pair(s)", lines[0]);
        Assert.Equal("10001/fateflow    route_table.10001.fateflow -> grpc 127.0.0.1:9360  (own party: stays on site)", lines[1]);
        Assert.Equal("10001/default     route_table.10001.default -> http http://127.0.0.1:8087/osx/inbound  (own party: stays on site)", lines[2]);
        Assert.Equal("default/fateflow  route_table.default.default -> grpc exchange.fate.example.org:9371 tls exchange.fate.example.org", lines[3]);
        Assert.Equal("permission: default allow; allow []; deny []", lines[^1]);
    }

    [Fact]
    public void CheckNamesAMissingFileAndABadPartyWithExitTwo()
    {
        var missing = Path.Combine(Samples, "no-such-table.json");

        Assert.Equal(ExitCodes.BadInput, CliTests.Sim("gateway", "check", missing).Code);
        Assert.Contains("--party: 'p9999' is not a party id", CliTests.Sim("gateway", "check", Path.Combine(Samples, "route_table.direct.json"), "--party", "p9999").Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void WithoutDefectsTheScenarioRunsCleanAndTrafficFlows()
    {
        for (ulong seed = 1; seed <= 3; seed++)
        {
            var result = Simulation.Run(new GatewayRoutingScenario(), new RunConfig("gateway-routing", seed, "random", DefectSet.None));

            Assert.True(result.Violation is null, $"seed {seed}: {result.Violation}");
            Assert.Contains(result.Account, l => l.StartsWith("consumer9999: ", StringComparison.Ordinal) && !l.StartsWith("consumer9999: 0 ", StringComparison.Ordinal));
            Assert.Contains(result.Account, l => l.StartsWith("app10001: ", StringComparison.Ordinal) && l.Contains(" OK", StringComparison.Ordinal));
        }
    }

    [Fact]
    public void LoopExplorationFindsTheSelfRouteViaDefault()
    {
        var outcome = Explore.WithLoop("gateway-routing", defect: DefectCatalogue.SelfRouteViaDefault, iterations: 5);

        Assert.NotNull(outcome.Bug);
        Assert.Equal(DeliveryChecker.OwnPartyStaysOnSite, outcome.Bug.Violation!.Invariant);
    }

    [Fact]
    public void LoopExplorationFindsTheTornRouteReload()
    {
        var outcome = Explore.WithLoop("gateway-routing", defect: DefectCatalogue.TornRouteReload, iterations: 30);

        Assert.NotNull(outcome.Bug);
        Assert.Contains(outcome.Bug.Violation!.Invariant, new[] { RoutingModel.OneVersion, RoutingModel.NoRouteWhenNone });
    }
}
