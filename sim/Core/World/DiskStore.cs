namespace Sim.Worlds;

/// <summary>
/// A process's durable disk. Writes land in a volatile buffer; a flush makes the writes buffered when it
/// started durable once it completes. A kill throws the buffer away.
/// </summary>
public sealed class DiskStore
{
    private readonly SortedDictionary<string, byte[]> durable = new(StringComparer.Ordinal);
    private readonly List<(string Key, byte[]? Value)> pending = [];

    public int PendingCount => pending.Count;

    public IReadOnlyDictionary<string, byte[]> Durable => durable;

    public void Write(string key, byte[]? value) => pending.Add((key, value));

    public byte[]? Read(string key)
    {
        for (var i = pending.Count - 1; i >= 0; i--)
        {
            if (string.Equals(pending[i].Key, key, StringComparison.Ordinal))
            {
                return pending[i].Value;
            }
        }

        return durable.TryGetValue(key, out var value) ? value : null;
    }

    public IReadOnlyList<string> Keys(string prefix)
    {
        var keys = new SortedSet<string>(durable.Keys.Where(k => k.StartsWith(prefix, StringComparison.Ordinal)), StringComparer.Ordinal);
        foreach (var (key, value) in pending)
        {
            if (!key.StartsWith(prefix, StringComparison.Ordinal))
            {
                continue;
            }

            if (value is null)
            {
                keys.Remove(key);
            }
            else
            {
                keys.Add(key);
            }
        }

        return keys.ToList();
    }

    /// <summary>Makes the first <paramref name="count"/> buffered writes durable.</summary>
    public void Commit(int count)
    {
        count = Math.Min(count, pending.Count);
        for (var i = 0; i < count; i++)
        {
            var (key, value) = pending[i];
            if (value is null)
            {
                durable.Remove(key);
            }
            else
            {
                durable[key] = value;
            }
        }

        pending.RemoveRange(0, count);
    }

    /// <summary>Drops every unflushed write (the process was killed); returns how many were lost.</summary>
    public int LoseUnflushed()
    {
        var lost = pending.Count;
        pending.Clear();
        return lost;
    }
}
