using System.Globalization;

namespace Sim.Scenarios.Psi;

/// <summary>
/// A party's input file as the scenario writes it, and — when it is broken — the exact error the actor must fail with
/// before any traffic (the model's own reading of the file format: a header line <c>id</c>, then one 11-digit id a line,
/// lines ended by LF or CRLF, the last line's ending optional). Errors name lines, never items.
/// </summary>
public static class InputFiles
{
    /// <summary>The file's text (null: no file at all) and the error it must be refused with (null: it is valid).</summary>
    public static (string? Text, string? Error) Of(IReadOnlyList<string> items, BadInput breakage, InputSpelling spelling, string path)
    {
        var n = items.Count;
        string Line(int index) => (index + 2).ToString(CultureInfo.InvariantCulture);
        string Text(IEnumerable<string> lines, string header = "id")
        {
            var eol = spelling == InputSpelling.Crlf ? "\r\n" : "\n";
            var text = string.Concat(lines.Prepend(header).Select(l => l + eol));
            return spelling == InputSpelling.NoFinalNewline ? text[..^eol.Length] : text;
        }

        var middle = n / 2;
        string[] Insert(string line) => [.. items.Take(middle), line, .. items.Skip(middle)];
        return breakage switch
        {
            BadInput.None => (Text(items), null),
            BadInput.Duplicate => (Text([.. items, items[middle]]), $"input {path}: line {Line(n)} repeats the id of line {Line(middle)} (duplicate items)"),
            BadInput.Empty => (Text([]), $"input {path} has no items"),
            BadInput.Malformed => (Text(Insert(items[0][..^1] + "x")), $"input {path}: line {Line(middle)} is not an id (11 characters; expected 11 digits)"),
            BadInput.Missing => (null, $"input {path} does not exist on this node"),
            BadInput.NoHeader => (Text(items, "ids"), $"input {path}: line 1 must be the header 'id'"),
            BadInput.ShortId => (Text(Insert(items[0][1..])), $"input {path}: line {Line(middle)} is not an id (10 characters; expected 11 digits)"),
            BadInput.BlankLine => (Text(Insert("")), $"input {path}: line {Line(middle)} is not an id (0 characters; expected 11 digits)"),
            _ => throw new ArgumentOutOfRangeException(nameof(breakage), breakage, "unknown breakage"),
        };
    }
}

/// <summary>How a valid input file is spelled: every spelling must read the same items.</summary>
public enum InputSpelling
{
    Plain,

    /// <summary>Lines ended by CRLF (a file saved on Windows).</summary>
    Crlf,

    /// <summary>The last line without its newline.</summary>
    NoFinalNewline,
}
