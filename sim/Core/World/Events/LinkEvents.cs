using Sim.Stack.Host;

namespace Sim.Worlds;

/// <summary>Something that happened to the link from one machine to another (its subject is <c>from-&gt;to</c>).</summary>
/// <param name="From">The sending machine.</param>
/// <param name="To">The receiving machine.</param>
public abstract record LinkEvent(string From, string To) : SimEvent
{
    public override string Subject => $"{From}->{To}";

    public override string Details => "";

    public override void AppendDetails(System.Text.StringBuilder builder)
    {
    }
}

/// <summary>The link from one machine to another was cut (one direction).</summary>
public sealed record LinkCut(string From, string To) : LinkEvent(From, To)
{
    public override string Kind => "net.cut";
}

/// <summary>A cut link was healed.</summary>
public sealed record LinkHealed(string From, string To) : LinkEvent(From, To)
{
    public override string Kind => "net.heal";
}

/// <summary>Frames on the link are held until <paramref name="Until"/> (virtual time), then released in order.</summary>
public sealed record LinkClogged(string From, string To, TimeSpan Until) : LinkEvent(From, To)
{
    public override string Kind => "net.clog";

    public override string Details => $"until={Until.TotalSeconds:F3}";

    public override void AppendDetails(System.Text.StringBuilder builder) => builder.Append(Details);
}
