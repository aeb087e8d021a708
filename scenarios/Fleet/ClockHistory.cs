using Sim.Worlds;

namespace Sim.Scenarios.Fleet;

/// <summary>
/// The machines' clock skews over time, from the world's <see cref="ClockSkewed"/> events: what any machine's wall
/// clock read at any instant. The security checker judges signed timestamps with it, from the model's side.
/// </summary>
public sealed class ClockHistory
{
    private readonly Dictionary<string, List<(TimeSpan At, TimeSpan Skew)>> changes = new(StringComparer.Ordinal);

    public ClockHistory(ScenarioContext context) =>
        context.On<ClockSkewed>((e, at) => (changes.TryGetValue(at.Subject, out var list) ? list : changes[at.Subject] = []).Add((at.Time, e.Skew)));

    /// <summary>
    /// The skews <paramref name="machine"/>'s clock had at some moment of [<paramref name="from"/>, <paramref name="to"/>], each
    /// with the part of the interval it held for. A change at exactly <paramref name="from"/> counts the skew before it too.
    /// </summary>
    public IReadOnlyList<(TimeSpan From, TimeSpan To, TimeSpan Skew)> During(string machine, TimeSpan from, TimeSpan to)
    {
        if (!changes.TryGetValue(machine, out var list))
        {
            return [(from, to, TimeSpan.Zero)];
        }

        var segments = new List<(TimeSpan, TimeSpan, TimeSpan)>();
        var (start, skew) = (from, list.LastOrDefault(c => c.At < from).Skew);
        foreach (var change in list.Where(c => c.At >= from && c.At <= to))
        {
            segments.Add((start, change.At, skew));
            (start, skew) = (change.At, change.Skew);
        }

        segments.Add((start, to, skew));
        return segments;
    }

    /// <summary>
    /// The ages a timestamp stamped <paramref name="stamp"/> can have had on <paramref name="machine"/>'s clock at some
    /// moment of [<paramref name="from"/>, <paramref name="to"/>], as ranges (one per skew it held).
    /// </summary>
    public IReadOnlyList<(TimeSpan Low, TimeSpan High)> Ages(string machine, DateTime stamp, TimeSpan from, TimeSpan to) =>
        [.. During(machine, from, to).Select(s => (World.Epoch + s.From + s.Skew - stamp, World.Epoch + s.To + s.Skew - stamp))];
}
