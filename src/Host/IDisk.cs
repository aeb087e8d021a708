namespace Sim.Stack.Host;

/// <summary>
/// A durable key/value store that survives restarts. Writes are buffered until <see cref="FlushAsync"/>
/// completes; whatever was not flushed is lost when the process is killed.
/// </summary>
public interface IDisk
{
    void Write(string key, ReadOnlySpan<byte> value);

    void Delete(string key);

    /// <summary>Reads the latest value this incarnation sees (its own unflushed writes included).</summary>
    byte[]? Read(string key);

    IReadOnlyList<string> Keys(string prefix);

    /// <summary>Makes every write so far durable.</summary>
    Task FlushAsync(CancellationToken cancellationToken = default);
}
