using System.Text;
using System.Text.Json;
using Sim.Shared;

namespace Sim.Campaign;

/// <summary>
/// A campaign's <c>DIR/results.jsonl</c> as read back: its lines by type, how many truncated lines were
/// skipped, and where the last complete record ends (a bug's iteration line and its finding line form
/// one record), which is where a resumed campaign goes on appending.
/// </summary>
public sealed class ResultsFile
{
    public const string FileName = "results.jsonl";

    public List<CampaignLine> Campaigns { get; } = [];

    public List<IterationLine> Iterations { get; } = [];

    public List<FindingLine> Findings { get; } = [];

    public List<BatchLine> Batches { get; } = [];

    /// <summary>Lines skipped because they were cut short (a writer killed mid-line) or left incomplete.</summary>
    public int Truncated { get; private set; }

    /// <summary>Bytes up to the end of the last complete record.</summary>
    public long CompleteLength { get; private set; }

    public static ResultsFile Read(string path)
    {
        var file = new ResultsFile();
        if (!File.Exists(path))
        {
            return file;
        }

        var bytes = File.ReadAllBytes(path);
        var start = 0;
        var lineNumber = 0;
        IterationLine? open = null;
        while (start < bytes.Length)
        {
            lineNumber++;
            var end = Array.IndexOf(bytes, (byte)'\n', start);
            if (end < 0)
            {
                // The last line has no newline: its writer was stopped while writing it.
                file.Truncated++;
                break;
            }

            var text = Encoding.UTF8.GetString(bytes, start, end - start);
            start = end + 1;
            if (text.Length == 0)
            {
                continue;
            }

            object? line;
            try
            {
                line = Parse(text);
            }
            catch (Exception e) when (e is JsonException or InvalidOperationException or NotSupportedException)
            {
                throw new BadInputException($"{path}:{lineNumber}: not a campaign result line ({e.Message})");
            }

            switch (line)
            {
                case CampaignLine c:
                    file.Campaigns.Add(c);
                    break;
                case IterationLine i:
                    file.Iterations.Add(i);
                    open = i.Verdict == "ok" ? null : i;
                    break;
                case FindingLine f:
                    file.Findings.Add(f);
                    open = open?.Unit == f.Unit ? null : open;
                    break;
                case BatchLine b:
                    file.Batches.Add(b);
                    break;
                default:
                    break;
            }

            if (open is null)
            {
                file.CompleteLength = start;
            }
        }

        if (open is not null)
        {
            // A bug's iteration line without its finding: the record is incomplete, the unit runs again.
            file.Iterations.Remove(open);
            file.Truncated++;
        }

        return file;
    }

    /// <summary>One line by its type; null for a type this reader does not know (skipped).</summary>
    private static object? Parse(string text)
    {
        using var document = JsonDocument.Parse(text);
        var type = document.RootElement.TryGetProperty("type", out var t) ? t.GetString() : null;
        return type switch
        {
            "campaign" => document.Deserialize<CampaignLine>(ResultLines.Json)!,
            "iteration" => document.Deserialize<IterationLine>(ResultLines.Json)!,
            "finding" => document.Deserialize<FindingLine>(ResultLines.Json)!,
            "batch" => document.Deserialize<BatchLine>(ResultLines.Json)!,
            _ => null,
        };
    }
}

/// <summary>Appends lines to <c>results.jsonl</c>; each record is one write, flushed at once, so a killed campaign keeps every finished line.</summary>
public sealed class ResultsWriter : IDisposable
{
    private readonly FileStream stream;

    /// <summary>Opens the file for appending, first cutting off an incomplete tail left by a killed writer.</summary>
    public ResultsWriter(string path, long completeLength)
    {
        stream = new FileStream(path, FileMode.OpenOrCreate, FileAccess.Write, FileShare.Read, bufferSize: 1);
        if (stream.Length > completeLength)
        {
            stream.SetLength(completeLength);
        }

        stream.Seek(0, SeekOrigin.End);
    }

    /// <summary>Writes the lines of one record (e.g. an iteration and its finding) in one write and flushes.</summary>
    public void Append(params object[] lines)
    {
        var text = new StringBuilder();
        foreach (var line in lines)
        {
            text.Append(ResultLines.Serialize(line)).Append('\n');
        }

        stream.Write(Encoding.UTF8.GetBytes(text.ToString()));
        stream.Flush();
    }

    public void Dispose() => stream.Dispose();
}
