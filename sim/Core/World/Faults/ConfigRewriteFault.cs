using System.Security.Cryptography;

namespace Sim.Worlds;

public abstract partial record FaultAction
{
    /// <summary>
    /// Rewrites a file on a process's disk, durably, as an operator or a config push would (null deletes it);
    /// the process sees it when it next reads the file. Undone by writing back what it held.
    /// </summary>
    public sealed record RewriteFile(string Process, string Key, byte[]? Content) : FaultAction
    {
        public override string Subject => Process;

        protected override string Verb => "config-rewrite";

        protected override string Arguments =>
            $"{Key} {(Content is null ? "deleted" : $"bytes={Content.Length} sha256={Convert.ToHexStringLower(SHA256.HashData(Content))[..12]}")}";

        public override FaultAction? Apply(World world)
        {
            var before = world.ConfigFiles.Write(world, Process, Key, Content);
            return new RewriteFile(Process, Key, before);
        }
    }
}

/// <summary>Config rewrites: a file the scenario registered (a route table, a config) is rewritten on disk while the run goes, then put back.</summary>
public sealed record ConfigRewriteFault() : LastingFaultKind(DurationRange.Seconds(1, 10))
{
    public override string Name => "config-rewrite";

    public override string Description => "rewrites one registered config file (the scenario's own rewrite, e.g. a route table moved) for lasting, then writes back what it held";

    public override FaultAction? Draw(World world, Rng rng)
    {
        var files = world.ConfigFiles.All;
        if (files.Count == 0)
        {
            return null;
        }

        var file = rng.Pick(files);
        var process = world.Process(file.Process);
        var current = process.Machine.Disks.TryGetValue(file.Process, out var disk) && disk.Durable.TryGetValue(file.Key, out var content) ? content : null;
        return new FaultAction.RewriteFile(file.Process, file.Key, file.Rewrite(rng, current)) { Lasts = Lasting.Draw(rng) };
    }

    public override IEnumerable<FaultAction> Heal(World world) =>
        world.ConfigFiles.Rewritten.OrderBy(f => f.Key.Process, StringComparer.Ordinal).ThenBy(f => f.Key.Key, StringComparer.Ordinal)
            .Select(f => new FaultAction.RewriteFile(f.Key.Process, f.Key.Key, f.Value)).ToList();

    public override IFaultKind Swarm(Rng rng) => this with
    {
        PerMinute = SwarmRate(rng, 0.5, 6),
        Lasting = DurationRange.Swarm(rng, TimeSpan.FromSeconds(0.5), TimeSpan.FromSeconds(3), TimeSpan.FromSeconds(10)),
    };
}
