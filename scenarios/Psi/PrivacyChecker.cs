using System.Globalization;
using Sim.Stack.Psi;

namespace Sim.Scenarios.Psi;

/// <summary>
/// Privacy (safety): no raw item ever crosses the virtual wire. Every frame any process sends — inside a party or
/// between them, control or data — is scanned for every item's encoding (its 11 ASCII digits) as it enters the wire.
/// Only masked points may cross; an error that quoted an item, a result sent to the peer, or a debug field would show.
/// </summary>
public sealed class PrivacyChecker
{
    public const string Invariant = "no-raw-item-on-the-wire";

    private const long Modulus = 100_000_000_000L;

    private readonly Dictionary<long, string> owners = [];

    public PrivacyChecker(ScenarioContext context, PsiTopology topology)
    {
        foreach (var party in topology.Parties)
        {
            foreach (var item in party.Items)
            {
                var value = long.Parse(item, CultureInfo.InvariantCulture);
                owners[value] = owners.TryGetValue(value, out var other) ? $"{other} and {party.Name}" : party.Name;
            }
        }

        context.World.Network.Tap((from, to, frame) =>
        {
            if (Find(frame.Span) is { } hit)
            {
                context.Fail(Invariant, $"a frame of {frame.Length} bytes from {from.Name} to {to.Name} carries {owners[hit.Value]}'s raw item {hit.Value.ToString("D11", CultureInfo.InvariantCulture)} at byte {hit.Offset}");
            }
        });
    }

    /// <summary>The first run of 11 ASCII digits in <paramref name="bytes"/> that is an item, and where it starts.</summary>
    private (long Value, int Offset)? Find(ReadOnlySpan<byte> bytes)
    {
        var run = 0;
        var value = 0L;
        for (var i = 0; i < bytes.Length; i++)
        {
            var b = bytes[i];
            if (b is < (byte)'0' or > (byte)'9')
            {
                run = 0;
                value = 0;
                continue;
            }

            value = ((value * 10) + (b - '0')) % Modulus;
            if (++run >= ItemFile.ItemLength && owners.ContainsKey(value))
            {
                return (value, i - ItemFile.ItemLength + 1);
            }
        }

        return null;
    }
}
