using Sim.Stack.Defects;
using Sim.Stack.Host;

namespace Sim.Stack.Register;

/// <summary>How one register replica runs.</summary>
/// <param name="IsPrimary">The primary takes writes; the backup only applies the primary's replication.</param>
/// <param name="ListenAddress">The address to bind.</param>
/// <param name="Port">The port to bind.</param>
/// <param name="ServerTls">The replica's TLS server settings.</param>
/// <param name="BackupHost">(Primary only) the backup's name.</param>
/// <param name="BackupTls">(Primary only) how the primary dials the backup.</param>
/// <param name="Defects">The defect switches on for this run.</param>
/// <param name="ReplicationTimeout">How long the primary waits for the backup before failing a write.</param>
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
    TimeSpan BackgroundFlushInterval);
