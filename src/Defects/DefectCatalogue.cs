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

    // Register (issue 12: deep defects, races in narrow windows).
    public const string BackupAcksBeforeFlush = "backup-acks-before-flush";
    public const string StaleReplicaOverwrite = "stale-replica-overwrite";

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

        // Register (issue 12: deep defects, races in narrow windows).
        new(BackupAcksBeforeFlush, "the backup confirms a replication from its write-back buffer and makes it durable in a group commit a few milliseconds later: a kill of the backup in that window loses a write the client was told was on both disks",
            "replication acknowledged on receipt rather than on fsync (group commit / write-back acknowledgement), the lost-write window of primary/backup stores"),
        new(StaleReplicaOverwrite, "the backup skips a replication only when it repeats the version it holds, so a retried or delayed replication of an older version that arrives after a newer one replaces it",
            "trusting the channel's order: last-arrival-wins replication instead of a version comparison"),
    ];

    /// <summary>The defect named <paramref name="name"/>, or null.</summary>
    public static Defect? Find(string name) => All.FirstOrDefault(d => string.Equals(d.Name, name, StringComparison.Ordinal));
}
