using System.Globalization;
using System.Text;
using Sim.Stack.Cluster;

namespace Sim.Stack.Psi;

/// <summary>
/// A party's input: a CSV file with the header <c>id</c> and one id (11 digits) per line. Read and checked before any
/// traffic: an unreadable, empty, malformed or duplicated input fails the actor with <see cref="PsiErrors.BadInput"/>.
/// Errors name lines, never items: they are sent to the peer, and no raw item may cross.
/// </summary>
public static class ItemFile
{
    public const string Header = "id";

    public const int ItemLength = 11;

    /// <summary>The items of the file, in file order.</summary>
    /// <exception cref="ActorFailure">Missing, empty, malformed, or with a duplicate.</exception>
    public static IReadOnlyList<string> Parse(string path, byte[]? content)
    {
        if (content is null)
        {
            throw Bad($"input {path} does not exist on this node");
        }

        var lines = Encoding.UTF8.GetString(content).Split('\n');
        if (lines.Length == 0 || lines[0].TrimEnd('\r') != Header)
        {
            throw Bad($"input {path}: line 1 must be the header '{Header}'");
        }

        var items = new List<string>();
        var firstSeen = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 1; i < lines.Length; i++)
        {
            var line = lines[i].TrimEnd('\r');
            if (line.Length == 0 && i == lines.Length - 1)
            {
                break;
            }

            var number = (i + 1).ToString(CultureInfo.InvariantCulture);
            if (line.Length != ItemLength || !line.All(char.IsAsciiDigit))
            {
                throw Bad($"input {path}: line {number} is not an id ({line.Length} characters; expected {ItemLength} digits)");
            }

            if (firstSeen.TryGetValue(line, out var first))
            {
                throw Bad($"input {path}: line {number} repeats the id of line {first.ToString(CultureInfo.InvariantCulture)} (duplicate items)");
            }

            firstSeen[line] = i + 1;
            items.Add(line);
        }

        return items.Count == 0 ? throw Bad($"input {path} has no items") : items;
    }

    /// <summary>The file's content for <paramref name="items"/>.</summary>
    public static byte[] Write(IEnumerable<string> items) => Encoding.UTF8.GetBytes(string.Concat(items.Prepend(Header).Select(line => line + "\n")));

    private static ActorFailure Bad(string message) => new(PsiErrors.BadInput, message);
}
