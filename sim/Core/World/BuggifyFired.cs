using Sim.Stack.Host;

namespace Sim.Worlds;

/// <summary>An enabled BUGGIFY site fired: the process takes its rare path.</summary>
/// <param name="Site">The site's name.</param>
public sealed record BuggifyFired(string Site) : SimEvent
{
    public override string Kind => "buggify.fire";

    public override string Details => Site;
}
