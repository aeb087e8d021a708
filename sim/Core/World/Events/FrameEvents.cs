using System.Text;
using Sim.Stack.Host;

namespace Sim.Worlds;

/// <summary>
/// Something that happened to one frame of a connection, numbered per direction. These are the hot path of
/// the event log: they write their fields straight into the line.
/// </summary>
/// <param name="Connection">The connection's id.</param>
/// <param name="Sequence">The frame's number in its direction.</param>
public abstract record FrameEvent(long Connection, long Sequence) : SimEvent
{
    public override string Details
    {
        get
        {
            var builder = new StringBuilder();
            AppendDetails(builder);
            return builder.ToString();
        }
    }

    public override void AppendDetails(StringBuilder builder)
    {
        builder.Append("conn=").Append(Connection).Append(" seq=").Append(Sequence);
        AppendMore(builder);
    }

    /// <summary>What the event says after its coordinates.</summary>
    protected virtual void AppendMore(StringBuilder builder)
    {
    }
}

/// <summary>A frame reached the receiving process, in order (its subject is the receiver).</summary>
/// <param name="Bytes">The payload's length.</param>
/// <param name="Fin">The frame closes its direction of the stream.</param>
public sealed record FrameDelivered(long Connection, long Sequence, int Bytes, bool Fin) : FrameEvent(Connection, Sequence)
{
    public override string Kind => "net.deliver";

    protected override void AppendMore(StringBuilder builder)
    {
        builder.Append(" bytes=").Append(Bytes);
        if (Fin)
        {
            builder.Append(" fin");
        }
    }
}

/// <summary>A frame sent into a cut link was lost; it is retransmitted (its subject is the link).</summary>
public sealed record FrameLost(string Link, long Connection, long Sequence) : FrameEvent(Connection, Sequence)
{
    public override string Kind => "net.lost";

    public override string Subject => Link;

    protected override void AppendMore(StringBuilder builder) => builder.Append(" (partition; retransmit)");
}

/// <summary>A frame was dropped by the network's drop probability; it arrives after one retransmit timeout.</summary>
public sealed record FrameDropped(string Link, long Connection, long Sequence, TimeSpan Retransmit) : FrameEvent(Connection, Sequence)
{
    public override string Kind => "net.drop";

    public override string Subject => Link;

    protected override void AppendMore(StringBuilder builder) => builder.Append(" (retransmit after ").Append(Retransmit.TotalMilliseconds).Append("ms)");
}

/// <summary>A frame was delayed by <paramref name="Extra"/>, so later frames may overtake it on the wire.</summary>
public sealed record FrameReordered(string Link, long Connection, long Sequence, TimeSpan Extra) : FrameEvent(Connection, Sequence)
{
    public override string Kind => "net.reorder";

    public override string Subject => Link;

    protected override void AppendMore(StringBuilder builder) => builder.Append($" +{Extra.TotalMilliseconds:F3}ms");
}

/// <summary>A frame was held by a clogged link until <paramref name="Until"/>.</summary>
public sealed record FrameHeld(string Link, long Connection, long Sequence, TimeSpan Until) : FrameEvent(Connection, Sequence)
{
    public override string Kind => "net.clogged";

    public override string Subject => Link;

    protected override void AppendMore(StringBuilder builder) => builder.Append($" held until {Until.TotalSeconds:F3}");
}

/// <summary>The network sent a frame twice.</summary>
public sealed record FrameDuplicated(string Link, long Connection, long Sequence) : FrameEvent(Connection, Sequence)
{
    public override string Kind => "net.duplicate";

    public override string Subject => Link;
}

/// <summary>The receiver recognised a duplicate frame and discarded it (its subject is the receiver).</summary>
public sealed record DuplicateDiscarded(long Connection, long Sequence) : FrameEvent(Connection, Sequence)
{
    public override string Kind => "net.duplicate-discarded";
}
