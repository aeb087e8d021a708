namespace Sim.Worlds;

/// <summary>
/// A process's durable disk. Writes land in a volatile buffer; a flush makes the writes buffered when it
/// started durable once it completes. A kill throws the buffer away.
/// </summary>
public sealed class DiskStore
{
    private readonly SortedDictionary<string, byte[]> durable = new(StringComparer.Ordinal);
    private readonly List<(string Key, byte[]? Value)> pending = [];
    private readonly List<(TaskCompletionSource Done, ExecutionContextOwner Owner)> stalledFlushes = [];

    public int PendingCount => pending.Count;

    public IReadOnlyDictionary<string, byte[]> Durable => durable;

    /// <summary>Whether the process ever wrote to it (a disk stall only matters to a disk in use).</summary>
    public bool Used { get; private set; }

    /// <summary>While set and ahead of now, the disk is stalled: a flush that reaches it waits for the stall to end.</summary>
    public TimeSpan? StalledUntil { get; private set; }

    public void Write(string key, byte[]? value)
    {
        Used = true;
        pending.Add((key, value));
    }

    /// <summary>Writes straight to durable storage, as an operator editing the file would; the process's own buffered writes stay buffered.</summary>
    public void WriteDurable(string key, byte[]? value)
    {
        if (value is null)
        {
            durable.Remove(key);
        }
        else
        {
            durable[key] = value;
        }
    }

    /// <summary>Stalls the disk until <paramref name="until"/> (a device hiccup, an fsync behind a full write cache); a later stall extends it.</summary>
    public void Stall(IRuntime runtime, TimeSpan until)
    {
        if (StalledUntil is { } current && current >= until)
        {
            return;
        }

        StalledUntil = until;
        runtime.At(until, () =>
        {
            if (StalledUntil is { } end && end <= until)
            {
                EndStall();
            }
        });
    }

    /// <summary>Ends the stall: every flush waiting on it goes on.</summary>
    public void EndStall()
    {
        StalledUntil = null;
        var waiting = stalledFlushes.ToList();
        stalledFlushes.Clear();
        foreach (var (done, owner) in waiting)
        {
            // A killed incarnation's flush never resumes.
            if (owner.Alive)
            {
                owner.EndWait(() => done.TrySetResult());
            }
        }
    }

    /// <summary>Completes once the disk is not stalled (at once if it is not), or is cancelled with <paramref name="cancellationToken"/>.</summary>
    public async Task WhileStalledAsync(ExecutionContextOwner owner, CancellationToken cancellationToken)
    {
        if (StalledUntil is null)
        {
            return;
        }

        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        stalledFlushes.Add((done, owner));

        // Unregister, not Dispose: Dispose waits for a running callback, which deadlocks under Coyote.
        var registration = cancellationToken.Register(static s => ((TaskCompletionSource)s!).TrySetCanceled(), done);
        try
        {
            await done.Task;
        }
        finally
        {
            registration.Unregister();
        }
    }

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
