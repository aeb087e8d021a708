using Sim.Stack.Register;

namespace Sim.Scenarios.Register;

/// <summary>
/// The register's two replicas as both register scenarios deploy them: the primary on dc-a, the backup on dc-b
/// asking for client certificates (mTLS) and taking replication from the primary's certificate name only.
/// </summary>
public static class RegisterDeployment
{
    public const int Port = 7000;

    /// <summary>How long a client waits for one call.</summary>
    public static readonly TimeSpan CallTimeout = TimeSpan.FromSeconds(1);

    /// <summary>How long the primary waits before sending a replication again after the connection broke under it.</summary>
    public static readonly TimeSpan ReplicationRetryBackoff = TimeSpan.FromMilliseconds(50);

    /// <summary>Places the primary and the backup; <paramref name="tls"/> is each one's TLS session setup.</summary>
    public static (Live<RegisterReplica> Primary, Live<RegisterReplica> Backup) Place(ScenarioContext context, ServiceOptions tls)
    {
        Live<RegisterReplica>? primary = null;
        var backup = context.Service("backup", "dc-b", Port, (host, me) =>
            RegisterReplica.Start(host, Options(context, me, primary!.DnsName, null)), tls with { MutualTls = true });
        primary = context.Service("primary", "dc-a", Port, (host, me) =>
            RegisterReplica.Start(host, Options(context, me, null, backup)), tls);
        return (primary, backup);
    }

    /// <summary>A client of the register, dialing each replica with its own certificate.</summary>
    public static RegisterClient Client(Sim.Stack.Host.IHost host, Live me, Live primary, Live backup) =>
        new(host, primary.DnsName, backup.DnsName, Port, me.TlsTo, CallTimeout);

    private static RegisterOptions Options(ScenarioContext context, Live me, string? primaryName, Live? backup) => new(
        IsPrimary: backup is not null,
        ListenAddress: backup is not null ? me.Address : "0.0.0.0",
        Port: Port,
        ServerTls: me.ServerTls,
        BackupHost: backup?.DnsName,
        BackupTls: backup is null ? null : me.TlsTo(backup),
        Defects: context.Defects,
        ReplicationTimeout: TimeSpan.FromMilliseconds(500),
        BackgroundFlushInterval: TimeSpan.FromMilliseconds(500))
    {
        PrimaryName = primaryName,
        ReplicationRetryBackoff = ReplicationRetryBackoff,
        GroupCommitInterval = TimeSpan.FromMilliseconds(10),
    };
}
