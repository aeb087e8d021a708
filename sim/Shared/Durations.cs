using System.Globalization;

namespace Sim.Shared;

/// <summary>Durations as users write them: 90s, 5m, 1h, 250ms, or a plain number of seconds.</summary>
public static class Durations
{
    private static readonly (string Suffix, double Seconds)[] Units = [("ms", 0.001), ("s", 1), ("m", 60), ("h", 3600)];

    /// <summary>Parses a positive duration; <paramref name="what"/> names the flag or key in the message.</summary>
    public static TimeSpan Parse(string text, string what)
    {
        foreach (var (suffix, seconds) in Units)
        {
            if (text.EndsWith(suffix, StringComparison.Ordinal) && double.TryParse(text[..^suffix.Length], NumberStyles.Float, CultureInfo.InvariantCulture, out var n)
                && n > 0 && double.IsFinite(n) && n * seconds < TimeSpan.MaxValue.TotalSeconds / 2
                && !(suffix == "s" && text.EndsWith("ms", StringComparison.Ordinal)))
            {
                return TimeSpan.FromSeconds(n * seconds);
            }
        }

        if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var plain) && plain > 0 && plain < TimeSpan.MaxValue.TotalSeconds / 2)
        {
            return TimeSpan.FromSeconds(plain);
        }

        throw new BadInputException($"{what}: '{text}' is not a duration (examples: 90s, 5m, 1h)");
    }
}
