namespace Sim.Stack.Buggify;

/// <summary>
/// Every BUGGIFY site of the stack (FoundationDB's <c>BUGGIFY</c>): each widens the states a run reaches by
/// taking, now and then, a path the real system can take too. A site not listed here fails the run that
/// reaches it, so this list is complete.
/// </summary>
public static class BuggifyCatalogue
{
    public const string FlushReturnsLate = "disk.flush-returns-late";
    public const string HandlerYieldsBeforeReply = "rpc.handler-yields-before-reply";
    public const string ServerClosesConnectionAfterReply = "rpc.server-closes-connection-after-reply";
    public const string ReconnectRetriesAtOnce = "futures.reconnect-retries-at-once";
    public const string PingFiresEarly = "fleet.ping-fires-early";

    public static IReadOnlyList<BuggifySite> All { get; } =
    [
        new(FlushReturnsLate, "host disk (IDisk.FlushAsync)",
            "the flush is durable but returns 1x-50x the flush latency late, as a slow completion path does: a kill in that window loses the acknowledgement, not the data"),
        new(HandlerYieldsBeforeReply, "gRPC server (RpcServer, unary calls)",
            "the handler has its response but yields before sending it: everything else ready to run (other calls, timers due now) runs first"),
        new(ServerClosesConnectionAfterReply, "gRPC server (RpcServer)",
            "after a call completes OK with no other call in flight, the server closes the connection (as max-connection-age or an idle close does); later calls on it are refused and the client redials"),
        new(ReconnectRetriesAtOnce, "futures client (FuturesClient reconnect loop)",
            "a failed reconnect is retried at once instead of after the retry interval"),
        new(PingFiresEarly, "fleet node (FleetNode ping loop)",
            "the next ping fires at the earliest point of its jitter window, (interval - timeout) x 0.7"),
    ];

    public static BuggifySite? Find(string name) => All.FirstOrDefault(s => string.Equals(s.Name, name, StringComparison.Ordinal));
}
