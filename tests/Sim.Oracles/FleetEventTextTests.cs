using Grpc.Core;
using Sim.Stack.Fleet;
using Sim.Stack.Host;

namespace Sim.Oracles;

/// <summary>
/// The fleet's event-log lines as users read them (the event log, `sim run`'s account, bug reports): each event's kind
/// and details for fixed values. An oracle case of its own, because no invariant reads text.
/// </summary>
public sealed class FleetEventTextTests
{
    private const string Key = "0123456789abcdef0123";

    private static readonly DateTime At = new(2026, 1, 1, 0, 0, 12, 345, DateTimeKind.Utc);

    [Fact]
    [Trait("Category", InvariantOracleTests.Category)]
    public void EveryFleetEventReadsAsDocumented()
    {
        // Built here, not in theory data: Stryker counts only code a test runs as covered by it.
        (SimEvent Event, string Kind, string Details)[] lines =
        [
            (new CoordinatorUp(true, 3), "fleet.coordinator-up", "backend=durable nodes=3"),
            (new CoordinatorUp(false, 0), "fleet.coordinator-up", "backend=in-memory nodes=0"),
            (new AuthRejected("0123456789ab", "/m", "why"), "fleet.auth-rejected", "key=0123456789ab method=/m: why"),
            (new NodeCreated(4, Key, 3, At), "fleet.create-node", "key=0123456789ab node=4"),
            (new StaleNodeReturned(4, Key), "fleet.create-node-stale", "key=0123456789ab returns existing node 4"),
            (new CreateNodeRefused(Key, 4), "fleet.create-node-refused", "key=0123456789ab held by online node 4"),
            (new NodeReclaimed(4, Key, []), "fleet.reclaim", "key=0123456789ab offline node 4 removed"),
            (new NodeReclaimed(4, Key, ["t1", "t2"]), "fleet.reclaim", "key=0123456789ab offline node 4 removed, dropped t1,t2"),
            (new NodeDeleted(4, Key, ["t1"]), "fleet.delete-node", "node=4, dropped t1"),
            (new NodeDeleted(4, Key, []), "fleet.delete-node", "node=4"),
            (new DeleteNodeIgnored(4, Key), "fleet.delete-node-ignored", "node=4 is not key=0123456789ab's"),
            (new NodePinged(4, Key, 3, At), "fleet.ping", "node=4 online until 00:00:12.345"),
            (new UnknownNodePinged(4, Key), "fleet.ping-unknown", "node=4 unknown to key=0123456789ab"),
            (new TasksQueued([new("t1", 1), new("t2", 2)], []), "fleet.push-tasks", "queued=2"),
            (new TasksQueued([new("t1", 1)], [new("t2", 2), new("t3", 3)]), "fleet.push-tasks", "queued=1 refused=t2@2,t3@3"),
            (new TasksHandedOut(4, Key, ["t1", "t2"]), "fleet.pull-tasks", "node=4 tasks=t1,t2"),
            (new ResultsStored(Key, [new("t1", 1)], []), "fleet.push-results", "stored=1"),
            (new ResultsStored(Key, [], [new("t2", 2)]), "fleet.push-results", "stored=0 ignored=t2@2"),
            (new ResultsDelivered(["t1", "t2"]), "fleet.pull-results", "delivered=t1,t2"),
            (new NodesListed([1, 3]), "fleet.get-nodes", "online=1,3"),
            (new RunCreated(2, "fab"), "fleet.create-run", "run=2 fab=fab"),
            (new NodeRegistered(4), "fleet.registered", "registered as node 4"),
            (new CreateNodeRejected(StatusCode.FailedPrecondition, "Public key already in use"), "fleet.create-node-rejected", "CreateNode rejected: FailedPrecondition: Public key already in use"),
            (new NodeLeft(4, StatusCode.OK, ""), "fleet.left", "deleted node 4 on stop"),
            (new NodeLeft(4, StatusCode.Unavailable, "gone"), "fleet.left", "DeleteNode failed on stop: Unavailable gone"),
            (new PingFailed(StatusCode.DeadlineExceeded), "fleet.ping-failed", "ping failed: DeadlineExceeded (will retry)"),
            (new NodeForgotten(4), "fleet.forgotten", "coordinator no longer knows node 4: registering again"),
            (new PingLoopDied(4, "Ping failed unexpectedly"), "fleet.ping-loop-died", "ping loop stopped: Ping failed unexpectedly (node 4)"),
            (new WorkReceived(4, ["t1", "t2"]), "fleet.work", "got work: 2 task(s)"),
            (new NodeCallFailed("GetRun", StatusCode.NotFound, "Run 2 not found", ["t1"]), "fleet.call-failed", "GetRun failed: NotFound: Run 2 not found"),
            (new RunFetched(2, "fab"), "fleet.run-fetched", "run=2 fab=fab"),
        ];

        EventText.AssertReadAsDocumented(lines);
    }

    [Fact]
    [Trait("Category", InvariantOracleTests.Category)]
    public void ANodeTaskPrintsAsTaskAtNode() => Assert.Equal("t7@3", new NodeTask("t7", 3).ToString());
}
