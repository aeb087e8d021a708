using Grpc.Core;
using Sim.Stack.Gateway;
using Sim.Stack.Host;

namespace Sim.Oracles;

/// <summary>
/// The gateway's event-log lines as users read them: each event's kind and details for fixed values, both branches of
/// every conditional part. An oracle case of its own, because gateway-routing's checkers subscribe to the typed records.
/// </summary>
public sealed class GatewayEventTextTests
{
    [Fact]
    [Trait("Category", InvariantOracleTests.Category)]
    public void EveryGatewayEventReadsAsDocumented()
    {
        // Built here, not in theory data: Stryker counts only code a test runs as covered by it.
        const string Table = """{"route_table":{}}""";
        (SimEvent Event, string Kind, string Details)[] lines =
        [
            (new GatewayServing("10000", 9370, 3), "gateway.serving", "party=10000 port=9370 table=v3"),
            (new RouteTableLoaded(2, "file", 1, Table), "gateway.table-loaded", "v2 from file: 1 entry sha256=efaf0b494f0f"),
            (new RouteTableLoaded(3, "admin ops", 4, Table), "gateway.table-loaded", "v3 from admin ops: 4 entries sha256=efaf0b494f0f"),
            (new RouteTableRejected("file", "route_table.10000.fateflow[0].url: required for protocol http", 2), "gateway.table-rejected",
                "from file: route_table.10000.fateflow[0].url: required for protocol http (still serving v2)"),
            (new RateDecision("r1", "9999", true), "gateway.rate", "r1 from party 9999: admitted"),
            (new RateDecision("r1", "9999", false), "gateway.rate", "r1 from party 9999: refused"),
            (new RequestRouted("r1", "9999", "10000", "fateflow", "/m", 1, 2, "route_table.10000.default", "10.0.0.2:9370", true, 1), "gateway.routed",
                "r1 9999->10000/fateflow /m hops=1 v2 route_table.10000.default -> gateway 10.0.0.2:9370"),
            (new RequestRouted("r1", "9999", "10000", "fateflow", "/m", 0, 2, "route_table.10000.fateflow", "10.0.0.3:9360", false, 3), "gateway.routed",
                "r1 9999->10000/fateflow /m hops=0 v2 route_table.10000.fateflow -> component 10.0.0.3:9360 try 3"),
            (new RequestRefused("r1", "9999", "10000", "/m", StatusCode.Unavailable, "no route", false), "gateway.refused", "r1 9999->10000 /m: Unavailable: no route"),
            (new RequestRefused("r1", "9999", "10000", "/m", StatusCode.Unavailable, "no route", true), "gateway.refused",
                "r1 9999->10000 /m: Unavailable: no route (from the next hop)"),
            (new ForwardRetried("r1", "10.0.0.2:9370", 2, StatusCode.Unavailable, "reset"), "gateway.retry", "r1 to 10.0.0.2:9370 try 2 failed: Unavailable: reset"),
            (new DuplicateSuppressed("r1", "OK"), "gateway.duplicate", "r1: OK"),
            (new MessageStored("job-7", 4, "m1", "9999"), "gateway.stored", "job-7@4 m1 from 9999"),
            (new MessageDelivered("job-7", 4, "m1", 1), "gateway.delivered", "job-7@4 m1"),
            (new MessageDelivered("job-7", 4, "m1", 2), "gateway.delivered", "job-7@4 m1 (delivery 2)"),
            (new MessageAcked("job-7", 4), "gateway.acked", "job-7@4"),
            (new QueueRecovered("job-7", new Dictionary<long, string> { [1] = "m1", [2] = "m2" }, new HashSet<long> { 1 }), "gateway.queue-recovered",
                "job-7: 2 message(s), 1 acknowledged"),
        ];

        EventText.AssertReadAsDocumented(lines);
    }
}
