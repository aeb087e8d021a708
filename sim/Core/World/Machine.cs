namespace Sim.Worlds;

/// <summary>A machine in a site: owns addresses, a clock skew and the disks of the processes placed on it.</summary>
public sealed class Machine(string name, string site, IReadOnlyList<string> addresses)
{
    public string Name { get; } = name;

    public string Site { get; } = site;

    public IReadOnlyList<string> Addresses { get; } = addresses;

    /// <summary>How far this machine's wall clock is off true (virtual) time.</summary>
    public TimeSpan ClockSkew { get; set; }

    /// <summary>Durable disks by process name: they outlive process incarnations.</summary>
    public Dictionary<string, DiskStore> Disks { get; } = new(StringComparer.Ordinal);

    public bool Owns(string address) => Addresses.Contains(address, StringComparer.Ordinal);

    public override string ToString() => Name;
}
