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
    private readonly List<LoggedEvent>? entries;
    private readonly StringBuilder line = new();
    private readonly byte[] pending = new byte[64 * 1024];
    private int pendingLength;
    private string? finalHash;

    /// <param name="keepLines">Keep the text of every line (for the report); the hash is always kept.</param>
    public EventLog(bool keepLines = true)
    {
        lines = keepLines ? [] : null;
        entries = keepLines ? [] : null;
    }

    public long Count { get; private set; }

    public IReadOnlyList<string> Lines => lines ?? [];

    /// <summary>The typed events kept with <see cref="Lines"/> (for reports that read a run back).</summary>
    public IReadOnlyList<LoggedEvent> Entries => entries ?? [];

    /// <summary>Appends one event, rendered as its line: step, virtual time, kind, subject, details.</summary>
    public void Append(LoggedEvent logged)
    {
        if (Sealed)
        {
            return;
        }

        // "step seconds.micros kind subject details": fixed, culture-free formatting.
        var micros = logged.Time.Ticks / 10;
        var fraction = (int)(micros % 1_000_000);
        line.Clear();
        line.Append(logged.Step).Append(' ').Append(micros / 1_000_000).Append('.');
        for (var digit = 100_000; digit > 1 && fraction < digit; digit /= 10)
        {
            line.Append('0');
        }

        line.Append(fraction).Append(' ').Append(logged.Event.Kind).Append(' ').Append(logged.Subject).Append(' ');
        var before = line.Length;
        logged.Event.AppendDetails(line);
        if (line.Length == before)
        {
            line.Length--;
        }

        line.Append('\n');
        var maxBytes = Encoding.UTF8.GetMaxByteCount(line.Length);
        if (pendingLength + maxBytes > pending.Length)
        {
            FlushPending();
        }

        if (maxBytes > pending.Length)
        {
            hash.AppendData(Encoding.UTF8.GetBytes(line.ToString()));
        }
        else
        {
            foreach (var chunk in line.GetChunks())
            {
                pendingLength += Encoding.UTF8.GetBytes(chunk.Span, pending.AsSpan(pendingLength));
            }
        }

        lines?.Add(line.ToString(0, line.Length - 1));
        entries?.Add(logged);
        Count++;
    }

    /// <summary>
    /// True once the run ended (<see cref="Seal"/>) or the hash was asked for: nothing more is recorded. Under
    /// Coyote, continuations already in flight when the run stops may still run; what they do is not the run's.
    /// </summary>
    public bool Sealed { get; private set; }

    /// <summary>Closes the log: later events are neither kept nor hashed.</summary>
    public void Seal() => Sealed = true;

    /// <summary>The log's hash; the log is sealed once it is asked for.</summary>
    public string Hash
    {
        get
        {
            if (finalHash is null)
            {
                Sealed = true;
                FlushPending();
                finalHash = Convert.ToHexStringLower(hash.GetHashAndReset())[..16];
            }

            return finalHash;
        }
    }

    public void WriteTo(string path)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        File.WriteAllLines(path, Lines);
    }

    private void FlushPending()
    {
        hash.AppendData(pending, 0, pendingLength);
        pendingLength = 0;
    }
}
