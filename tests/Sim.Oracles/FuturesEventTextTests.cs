using Grpc.Core;
using Sim.Stack.Futures;
using Sim.Stack.Host;

namespace Sim.Oracles;

/// <summary>
/// The futures' event-log lines as users read them: each event's kind and details for fixed values, both branches of
/// every conditional part. An oracle case of its own, because client-reconnect's checkers subscribe to the typed records.
/// </summary>
public sealed class FuturesEventTextTests
{
    [Fact]
    [Trait("Category", InvariantOracleTests.Category)]
    public void EveryFuturesEventReadsAsDocumented()
    {
        // Built here, not in theory data: Stryker counts only code a test runs as covered by it.
        (SimEvent Event, string Kind, string Details)[] lines =
        [
            (new SchedulerUp(2), "futures.scheduler-up", "incarnation=2"),
            (new SessionOpened("c1", "", "s1"), "futures.session-open", "client=c1 identity=- session=s1"),
            (new SessionOpened("c1", "alice", "s1"), "futures.session-open", "client=c1 identity=alice session=s1"),
            (new SessionReplaced("c1", 2), "futures.session-replaced", "client=c1 released=2"),
            (new SessionClosed("c1", 1), "futures.session-closed", "client=c1 released=1"),
            (new CallRefused("Submit", "c1", StatusCode.PermissionDenied), "futures.refused", "Submit client=c1 PermissionDenied"),
            (new TaskAccepted("c1", "k1", "s1"), "futures.task-accepted", "client=c1 key=k1 session=s1"),
            (new TaskComputed("c1", "k1", 42), "futures.task-computed", "client=c1 key=k1 result=42"),
            (new TaskErred("c1", "k1"), "futures.task-erred", "client=c1 key=k1"),
            (new KeysCancelled("c1", ["k1", "k2"], ["k1"], ""), "futures.cancel", "client=c1 keys=1/2 reason=-"),
            (new KeysCancelled("c1", ["k1"], ["k1"], "client closed"), "futures.cancel", "client=c1 keys=1/1 reason=client closed"),
            (new SchedulerRestarted(2, 3), "futures.scheduler-restart", "clients=2 forgotten=3"),
            (new ClientStatusChanged("c1", ClientStatus.Running, ClientStatus.Connecting), "futures.client-status", "client=c1 running -> connecting"),
            (new ClientConnected("c1", "scheduler", 2, "s1"), "futures.client-connected", "client=c1 scheduler=scheduler#2 session=s1"),
            (new FutureSubmitted("c1", "k1", 2, false), "futures.submit", "client=c1 key=k1 generation=2"),
            (new FutureSubmitted("c1", "k1", 2, true), "futures.submit", "client=c1 key=k1 generation=2 buffered"),
            (new FutureDone("c1", "k1", FutureStatus.Cancelled, null), "futures.done", "client=c1 key=k1 cancelled"),
            (new FutureDone("c1", "k1", FutureStatus.Error, "boom"), "futures.done", "client=c1 key=k1 error reason=boom"),
            (new FuturesSwept("c1", "closed", 3, 2), "futures.client-sweep", "client=c1 reason=closed futures=3 generation=2"),
            (new RestartReported("c1", "s1"), "futures.client-restart", "client=c1 session=s1"),
            (new ReportStreamBroke("c1", StatusCode.Unavailable, "reset"), "futures.client-stream-broke", "client=c1 Unavailable: reset"),
            (new ReconnectAttempted("c1"), "futures.client-reconnect", "client=c1"),
            (new ReconnectGaveUp("c1", TimeSpan.FromSeconds(2.5)), "futures.client-gave-up",
                "client=c1: failed to reconnect to scheduler after 2.50 seconds, closing client"),
            (new SubmitFailed("c1", StatusCode.Unavailable, "k1"), "futures.client-submit-failed", "client=c1 Unavailable (retrying)"),
        ];

        EventText.AssertReadAsDocumented(lines);
    }
}
