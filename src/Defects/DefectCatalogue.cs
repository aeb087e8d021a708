namespace Sim.Stack.Defects;

/// <summary>
/// Every defect switch the stack carries: its name, what it restores and where it comes from. A new defect is
/// one entry here (and a name constant for the stack's code to test); a scenario claims it in
/// <c>Scenario.Claims</c>. The stack reads a switch through <see cref="DefectSet.IsOn"/>; scenarios never branch on it.
/// </summary>
public static class DefectCatalogue
{
    public const string AckBeforeFlush = "ack-before-flush";
    public const string StaleNodeMapping = "stale-node-mapping";
    public const string BareCancel = "bare-cancel";
    public const string DroppedCancelReason = "dropped-cancel-reason";

    // fleet (issue 12): deep defects, races in narrow windows
    public const string QueueForOfflineNode = "queue-for-offline-node";
    public const string PullTrustsNodeId = "pull-trusts-node-id";
    public const string LeaveBeforePingLoopStops = "leave-before-ping-loop-stops";

    public static IReadOnlyList<Defect> All { get; } =
    [
        new(AckBeforeFlush, "the primary acknowledges a write before it is flushed to disk and replicated (flushed and replicated later, in the background)",
            "the classic lost-acknowledged-write bug of primary/backup stores"),
        new(StaleNodeMapping, "DeleteNode removes the node entry but keeps the public-key mapping; a restarted node's CreateNode gets the stale id, its first Ping answers success=false and its ping loop stops (\"Ping failed unexpectedly\")",
            "flwrlabs/flower issue 4844 (Flower 1.14, fixed in 1.15.0)"),
        new(BareCancel, "when the client loses its scheduler, its pending futures fail with a bare cancellation that names only the key, with no reason and no message",
            "dask/distributed issue 8690 (fixed by PR 8705, released in 2024.7.0)"),
        new(DroppedCancelReason, "a future's own Cancel(reason, msg) forwards the futures but drops the reason and message, so the user sees reason 'unknown'",
            "dask/distributed PR 9028 (the reason dropped by the synchronous cancel)"),

        // fleet (issue 12)
        new(QueueForOfflineNode, "PushTaskIns queues a task for any registered node, online or not: a node that went offline between the driver's GetNodes and its PushTaskIns gets work nobody will pull until it returns",
            "Flower's push_messages queued for any known node id; the online check at push time came with the node liveness rework (a GetNodes/push race)"),
        new(PullTrustsNodeId, "PullTaskIns serves the node id named in the request without checking that it belongs to the caller's key: after an in-memory coordinator restart reissues ids from 1, a node still using its old id pulls another node's tasks",
            "Flower's node-id verification in the authentication interceptor (a node id is a claim, the key is the proof)"),
        new(LeaveBeforePingLoopStops, "on a graceful stop the node sends DeleteNode without waiting for its ping loop to stop: a re-registration the ping loop has in flight (after a coordinator restart) lands after the goodbye and leaves a registered node nobody runs",
            "Flower's SuperNode shutdown order (delete_node before the ping thread is joined)"),
    ];

    /// <summary>The defect named <paramref name="name"/>, or null.</summary>
    public static Defect? Find(string name) => All.FirstOrDefault(d => string.Equals(d.Name, name, StringComparison.Ordinal));
}
