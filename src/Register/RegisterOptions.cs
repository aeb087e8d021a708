using Sim.Stack.Defects;
using Sim.Stack.Host;

namespace Sim.Stack.Register;

/// <summary>How one register replica runs.</summary>
/// <param name="IsPrimary">The primary takes writes; the backup only applies the primary's replication.</param>
/// <param name="ListenAddress">The address to bind.</param>
/// <param name="Port">The port to bind.</param>
/// <param name="ServerTls">The replica's TLS server settings (the backup's asks for client certificates).</param>
/// <param name="BackupHost">(Primary only) the backup's name.</param>
/// <param name="BackupTls">(Primary only) how the primary dials the backup, with its own certificate.</param>
/// <param name="Defects">The defect switches on for this run.</param>
/// <param name="ReplicationTimeout">How long the primary tries to get a write confirmed by the backup before failing it.</param>
/// <param name="BackgroundFlushInterval">Under <c>ack-before-flush</c>, how often dirty writes are flushed and replicated.</param>
public sealed record RegisterOptions(
    bool IsPrimary,
    string ListenAddress,
    int Port,
    TlsServerOptions? ServerTls,
    string? BackupHost,
    TlsClientOptions? BackupTls,
    DefectSet Defects,
    TimeSpan ReplicationTimeout,
    TimeSpan BackgroundFlushInterval)
{
    /// <summary>
    /// (Backup only) the name the primary's certificate carries: the one caller whose replication the backup
    /// takes. Null: the backup takes replication from no one (a backup must be told whom it follows).
    /// </summary>
    public string? PrimaryName { get; init; }

    /// <summary>How long the primary waits before sending a replication again after the connection broke under it.</summary>
    public TimeSpan ReplicationRetryBackoff { get; init; } = TimeSpan.FromMilliseconds(50);

    /// <summary>Under <c>backup-acks-before-flush</c>, how long the backup lets replicated writes sit in its write-back buffer.</summary>
    public TimeSpan GroupCommitInterval { get; init; } = TimeSpan.FromMilliseconds(10);
}
