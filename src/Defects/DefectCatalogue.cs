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

    // Deep defects of the futures client and scheduler (issue 12): races in narrow windows.
    public const string ResubmitAfterCancel = "resubmit-after-cancel";
    public const string StaleSessionSubmit = "stale-session-submit";
    public const string ReplacedSessionKeepsKeys = "replaced-session-keeps-keys";
    public const string CancelAfterResult = "cancel-after-result";

    // Register (issue 12: deep defects, races in narrow windows).
    public const string BackupAcksBeforeFlush = "backup-acks-before-flush";
    public const string StaleReplicaOverwrite = "stale-replica-overwrite";

    // Site gateways (src/Gateway, scenario gateway-routing).
    public const string TornRouteReload = "torn-route-reload";
    public const string SelfRouteViaDefault = "self-route-via-default";

    // Two-party PSI over party clusters (src/Psi, src/Cluster, scenario psi-multinode).
    public const string AdvertisedHeadAddress = "advertised-head-address";
    public const string SilentActorFailure = "silent-actor-failure";
    // Replicated schedulers (src/Scheduler, scenario scheduler-failover): races with pauses and failovers.
    public const string LeaseWithoutFencing = "lease-without-fencing";
    public const string RescheduleDoubleCommit = "reschedule-double-commit";

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
            "Flower's push_messages queued for any known node id; the online check at push time came with the node liveness rework (a GetNodes/push race)", Race: true),
        new(PullTrustsNodeId, "PullTaskIns serves the node id named in the request without checking that it belongs to the caller's key: after an in-memory coordinator restart reissues ids from 1, a node still using its old id pulls another node's tasks",
            "Flower's node-id verification in the authentication interceptor (a node id is a claim, the key is the proof)", Race: true),
        new(LeaveBeforePingLoopStops, "on a graceful stop the node sends DeleteNode without waiting for its ping loop to stop: a re-registration the ping loop has in flight (after a coordinator restart) lands after the goodbye and leaves a registered node nobody runs",
            "Flower's SuperNode shutdown order (delete_node before the ping thread is joined)", Race: true),

        // Deep defects of the futures client and scheduler (issue 12).
        new(ResubmitAfterCancel, "the scheduler forgets a cancel once the task is gone: a submission of the key that arrives after its cancel (a retry after a timed-out attempt, a buffered submit flushed as the user cancels) runs the task again, and its result is held for a future the user cancelled",
            "retried idempotent-by-key requests racing a delete (a tombstone missing), as in Dask's update-graph after cancel-keys", Race: true),
        new(StaleSessionSubmit, "the scheduler accepts a submit (or cancel) made for a session that is over: a submission that crosses a scheduler restart report, or one sent just before a reconnect, lands in the new session and runs a task whose future the client already cancelled",
            "fencing tokens missing on reconnect and restart (work of an old epoch accepted by the new one)"),
        new(ReplacedSessionKeepsKeys, "when a client reconnects before the scheduler noticed its old stream end, the old session is replaced without releasing its keys; its stream's cleanup then skips them (no longer current), so they are never released",
            "cleanup keyed on 'is this still the current session' racing a reconnect, as Dask's remove_client racing add_client of the same client id"),
        new(CancelAfterResult, "a cancel marks cancelled every future the client held when the user asked, after the cancel call returns: a result that arrived during the call is overwritten, so a future the user already read as finished turns cancelled",
            "dask/distributed FutureState.cancel() setting the status unconditionally (a result racing a cancel)", Race: true),

        // Register (issue 12: deep defects, races in narrow windows).
        new(BackupAcksBeforeFlush, "the backup confirms a replication from its write-back buffer and makes it durable in a group commit a few milliseconds later: a kill of the backup in that window loses a write the client was told was on both disks",
            "replication acknowledged on receipt rather than on fsync (group commit / write-back acknowledgement), the lost-write window of primary/backup stores", Race: true),
        new(StaleReplicaOverwrite, "the backup skips a replication only when it repeats the version it holds, so a retried or delayed replication of an older version that arrives after a newer one replaces it",
            "trusting the channel's order: last-arrival-wins replication instead of a version comparison", Race: true),

        // Site gateways (src/Gateway, scenario gateway-routing).
        new(TornRouteReload, "a route-table reload puts the new table live entry by entry, persisting each before the next: a lookup in between combines the new version's entries with the old default (or the reverse) and forwards to an endpoint no single version has",
            "the in-place reload race of gateway route maps (FATE OSX/rollsite route_table.json hot reload while traffic flows)", Race: true),
        new(SelfRouteViaDefault, "a request for a component of the gateway's own party that its own entry lacks falls back to the global default (the exchange), leaves the site and bounces back until the hop limit",
            "FederatedAI/FATE pull request 5460 (own-party routes in exchange mode)"),

        // Two-party PSI over party clusters (src/Psi, src/Cluster, scenario psi-multinode).
        new(AdvertisedHeadAddress, "the PSI actor's link server binds the address advertised for its party (the head's) wherever the scheduler placed it: on a worker machine the bind fails (cannot assign requested address) and the party's PSI fails; with single-node parties it always works",
            "secretflow/secretflow issues 1766 and 1770 (SecretFlow-lite 1.5.0b0: PSI fails as soon as a party's Ray cluster has a worker; RayActorError under a BRPC start-up failure, FedRemoteError at the peer)"),
        new(SilentActorFailure, "a party whose PSI actor fails (its machine dies, its bind or input fails, its head is lost) does not tell the peer: no FedRemoteError is sent, and the peer finds out only when its own push retries run out or its receive times out",
            "RayFed's cross-party error propagation (FedRemoteError) missing: the peer sees a bare timeout or connection error instead of the failing party, machine and cause"),
        // Replicated schedulers (src/Scheduler, scenario scheduler-failover).
        new(LeaseWithoutFencing, "the store does not check a leader's lease epoch: a leader paused past its lease resumes mid-pass and its writes land beside the new leader's, so two leaders place and commit at once",
            "leases without fencing tokens (Kleppmann, 'How to do distributed locking'; client-go's leader election warns it does not fence: a paused leader acts on)", Race: true),
        new(RescheduleDoubleCommit, "a result is committed whenever its attempt was not committed yet, not only when it is the task's current attempt: a task rescheduled off a slow (paused) machine gets the original attempt's result and the new one's, both committed",
            "commit keyed by task and attempt without checking that the attempt is still current (the lost-ownership race of rescheduled tasks in Kuscia/Kubernetes-style controllers)", Race: true),
    ];

    /// <summary>The defect named <paramref name="name"/>, or null.</summary>
    public static Defect? Find(string name) => All.FirstOrDefault(d => string.Equals(d.Name, name, StringComparison.Ordinal));
}
