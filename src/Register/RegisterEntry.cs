namespace Sim.Stack.Register;

/// <summary>One key of the register at one version: what a replica holds and what a scan returns.</summary>
public sealed record RegisterEntry(string Key, long Version, string Value)
{
    public override string ToString() => $"{Key}@v{Version}='{Value}'";
}
