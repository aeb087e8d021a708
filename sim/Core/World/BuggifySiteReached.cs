using Sim.Stack.Host;

namespace Sim.Worlds;

/// <summary>A run reached a BUGGIFY site for the first time, and enabled it for the rest of the run or not.</summary>
/// <param name="Site">The site's name.</param>
/// <param name="Enabled">Whether it may fire from now on.</param>
public sealed record BuggifySiteReached(string Site, bool Enabled) : SimEvent
{
    public override string Kind => "buggify.site";

    public override string Details => $"{Site} {(Enabled ? "enabled" : "disabled")}";
}
