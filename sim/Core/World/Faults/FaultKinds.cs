namespace Sim.Worlds;

/// <summary>
/// Every fault kind the injector knows, in the order the quiet point heals them and swarm testing draws them.
/// Registering a kind is one line here.
/// </summary>
public static class FaultKinds
{
    public static IReadOnlyList<IFaultKind> All { get; } =
    [
        new KillFault(),
        new StopFault(),
        new PauseFault(),
        new SlowProcessFault(),
        new PartitionFault(),
        new ClogFault(),
        new ClogFault { OneWay = true },
        new TlsExpiryFault(),
        new ConnectionResetFault(),
        new ClockSkewFault(),
        new CertificateRotationFault(),
        new DiskStallFault(),
        new DnsChangeFault(),
        new ConfigRewriteFault(),
    ];

    public static IFaultKind? Find(string name) => All.FirstOrDefault(k => string.Equals(k.Name, name, StringComparison.Ordinal));
}
