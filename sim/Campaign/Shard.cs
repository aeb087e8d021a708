using System.Globalization;
using Sim.Shared;

namespace Sim.Campaign;

/// <summary>Shard <c>i/n</c> of a campaign: the units whose index is i modulo n.</summary>
public sealed record Shard(int Index, int Count)
{
    public static Shard Whole { get; } = new(0, 1);

    public override string ToString() => $"{Index}/{Count}";

    public static Shard Parse(string text, string option)
    {
        var parts = text.Split('/');
        if (parts.Length == 2 && int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var i)
            && int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n >= 1 && i < n)
        {
            return new Shard(i, n);
        }

        throw new BadInputException($"{option}: '{text}' is not a shard i/n with 0 <= i < n (examples: 0/1, 2/4)");
    }
}
