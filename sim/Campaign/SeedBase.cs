using System.Globalization;
using Sim.Shared;

namespace Sim.Campaign;

/// <summary>
/// Where a campaign's seeds start: the unit of round r of every stream runs seed <c>Value + r</c>, so unit index → seed
/// is a pure function of (seed base, stream, round) and <c>--shard</c> and <c>--resume</c> line up. A base derived from a
/// UTC date is <c>yyyymmdd × 1,000,000</c> (2026-11-23 → 20261123000000): each night explores seeds no other night
/// explores (as long as a stream runs fewer than a million rounds a night), and a finding's seed tells its night.
/// </summary>
/// <param name="Value">The first seed of every stream.</param>
/// <param name="Source">Where it came from, for the campaign line and the report ("auto: UTC date 2026-11-23", "--seed-base", ...).</param>
/// <param name="FromDate">True when derived from today's date by <c>auto</c>: a resume then goes on with the base it recorded.</param>
public sealed record SeedBase(ulong Value, string Source, bool FromDate = false)
{
    /// <summary>Seeds a date's base leaves to its streams' rounds before the next date's base.</summary>
    public const ulong PerDay = 1_000_000;

    public const string Auto = "auto";

    /// <summary>The base of a UTC date.</summary>
    public static ulong OfDate(DateOnly date) => (ulong)((date.Year * 10_000) + (date.Month * 100) + date.Day) * PerDay;

    /// <summary>Parses <c>--seed-base</c>: a whole number, a date (YYYY-MM-DD), or <c>auto</c> (today's UTC date).</summary>
    public static SeedBase Parse(string text, string option, DateTime utcNow)
    {
        if (text == Auto)
        {
            var today = DateOnly.FromDateTime(utcNow.ToUniversalTime());
            return new SeedBase(OfDate(today), $"{option} auto: UTC date {today:yyyy-MM-dd}", FromDate: true);
        }

        if (ulong.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value))
        {
            return new SeedBase(value, option);
        }

        if (DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date))
        {
            return new SeedBase(OfDate(date), $"{option} {text}");
        }

        throw new BadInputException($"{option}: '{text}' is not a seed base: a whole number from 0 to {ulong.MaxValue}, a UTC date (YYYY-MM-DD), or auto (today's UTC date)");
    }

    public override string ToString() => $"{Value} ({Source})";
}
