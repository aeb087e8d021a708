using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Sim.Worlds;

/// <summary>
/// Every delivery, drop, fault, process transition, RPC, handshake and assertion of a run, stamped with
/// virtual time and step. The whole log hashes (SHA-256) to one value: same seed, same hash.
/// </summary>
public sealed class EventLog
{
    private readonly IncrementalHash hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
    private readonly List<string>? lines;
    private readonly StringBuilder line = new();
    private string? finalHash;

    /// <param name="keepLines">Keep the text of every line (for the report); the hash is always kept.</param>
    public EventLog(bool keepLines = true)
    {
        lines = keepLines ? [] : null;
    }

    public long Count { get; private set; }

    public IReadOnlyList<string> Lines => lines ?? [];

    /// <summary>Appends one event. <paramref name="kind"/> is a dotted name; <paramref name="subject"/> names who.</summary>
    public void Append(long step, TimeSpan time, string kind, string subject, string details)
    {
        if (finalHash is not null)
        {
            return;
        }

        line.Clear();
        line.Append(step.ToString(CultureInfo.InvariantCulture)).Append(' ')
            .Append(time.TotalSeconds.ToString("F6", CultureInfo.InvariantCulture)).Append(' ')
            .Append(kind).Append(' ').Append(subject);
        if (details.Length > 0)
        {
            line.Append(' ').Append(details);
        }

        var text = line.ToString();
        Span<byte> buffer = stackalloc byte[Encoding.UTF8.GetMaxByteCount(Math.Min(text.Length, 256))];
        if (text.Length <= 256)
        {
            var n = Encoding.UTF8.GetBytes(text, buffer);
            hash.AppendData(buffer[..n]);
        }
        else
        {
            hash.AppendData(Encoding.UTF8.GetBytes(text));
        }

        hash.AppendData("\n"u8);
        lines?.Add(text);
        Count++;
    }

    /// <summary>The log's hash; the log is sealed once it is asked for.</summary>
    public string Hash => finalHash ??= Convert.ToHexStringLower(hash.GetHashAndReset())[..16];

    public void WriteTo(string path)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        File.WriteAllLines(path, Lines);
    }
}
