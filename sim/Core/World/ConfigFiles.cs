using Sim.Stack.Host;

namespace Sim.Worlds;

/// <summary>A file on a process's disk that operators (and the config-rewrite fault) may rewrite while the run goes.</summary>
/// <param name="Process">The process whose disk holds it.</param>
/// <param name="Key">Its disk key.</param>
/// <param name="Description">What it is, for the event log ("site-a route table").</param>
/// <param name="Rewrite">The scenario's rewrite: new content from the current one (null if absent) and a random stream; null deletes the file.</param>
public sealed record ConfigFile(string Process, string Key, string Description, Func<IRandomSource, byte[]?, byte[]?> Rewrite);

/// <summary>The run's rewritable files, and what each held before it was first rewritten (so the quiet point can put it back).</summary>
public sealed class ConfigFiles
{
    private readonly List<ConfigFile> files = [];
    private readonly Dictionary<(string Process, string Key), byte[]?> originals = [];

    public IReadOnlyList<ConfigFile> All => files;

    /// <summary>The rewritten files not restored yet, with their original content (null: the file did not exist).</summary>
    public IReadOnlyDictionary<(string Process, string Key), byte[]?> Rewritten => originals;

    public void Register(ConfigFile file)
    {
        if (files.Any(f => f.Process == file.Process && f.Key == file.Key))
        {
            throw new ArgumentException($"config file '{file.Key}' of {file.Process} is already registered");
        }

        files.Add(file);
    }

    /// <summary>Writes <paramref name="content"/> durably into the file; returns what it held before.</summary>
    public byte[]? Write(World world, string process, string key, byte[]? content)
    {
        var machine = world.Process(process).Machine;
        if (!machine.Disks.TryGetValue(process, out var disk))
        {
            disk = new DiskStore();
            machine.Disks[process] = disk;
        }

        var before = disk.Durable.TryGetValue(key, out var old) ? old : null;
        if (!originals.TryGetValue((process, key), out var original))
        {
            originals[(process, key)] = original = before;
        }

        disk.WriteDurable(key, content);
        if (SameBytes(original, content))
        {
            originals.Remove((process, key));
        }

        return before;
    }

    private static bool SameBytes(byte[]? a, byte[]? b) => a is null ? b is null : b is not null && a.AsSpan().SequenceEqual(b);
}
