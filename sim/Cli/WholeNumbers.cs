using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;
using System.Numerics;

namespace Sim.Cli;

/// <summary>
/// Whole-number options whose parse errors say what is allowed ("--seed: 'abc' is not a whole number from 0 to
/// 18446744073709551615") instead of naming a .NET type.
/// </summary>
internal static class WholeNumbers
{
    /// <summary>An option with a default value.</summary>
    public static Option<T> Option<T>(string name, string description, T min, T max, T fallback)
        where T : struct, IBinaryInteger<T>, IMinMaxValue<T> => new(name)
        {
            Description = description,
            DefaultValueFactory = _ => fallback,
            CustomParser = result => Parse(result, name, min, max) ?? fallback,
        };

    /// <summary>An option that may be absent (null).</summary>
    public static Option<T?> Optional<T>(string name, string description, T min, T max)
        where T : struct, IBinaryInteger<T>, IMinMaxValue<T> => new(name)
        {
            Description = description,
            CustomParser = result => Parse(result, name, min, max),
        };

    /// <summary>What a value may be, in words.</summary>
    public static string Allowed<T>(T min, T max)
        where T : struct, IBinaryInteger<T> => $"a whole number from {min.ToString(null, CultureInfo.InvariantCulture)} to {max.ToString(null, CultureInfo.InvariantCulture)}";

    private static T? Parse<T>(ArgumentResult result, string name, T min, T max)
        where T : struct, IBinaryInteger<T>, IMinMaxValue<T>
    {
        if (result.Tokens.Count != 1)
        {
            result.AddError($"{name}: expects one value, {Allowed(min, max)}");
            return null;
        }

        var text = result.Tokens[0].Value;
        if (T.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value) && value >= min && value <= max)
        {
            return value;
        }

        // Out of T's own range (a negative seed, 99999999999 iterations) is as wrong as out of min..max.
        result.AddError($"{name}: '{text}' is not {Allowed(min, max)}");
        return null;
    }
}
