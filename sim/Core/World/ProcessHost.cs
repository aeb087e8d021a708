using Sim.Stack.Buggify;
using Sim.Stack.Host;

namespace Sim.Worlds;

/// <summary>The host seam as one process incarnation sees it.</summary>
public sealed class ProcessHost : IHost, ILog, IDisk
{
    private readonly World world;
    private readonly SimProcess process;
    private readonly ExecutionContextOwner owner;
    private readonly DiskStore disk;

    internal ProcessHost(World world, SimProcess process, ExecutionContextOwner owner, CancellationToken lifetime)
    {
        this.world = world;
        this.process = process;
        this.owner = owner;
        Lifetime = lifetime;
        Clock = new SimClock(world, process.Machine, owner);
        Random = world.StreamFor($"process/{process.Name}/{process.Incarnation}");
        Network = new ProcessNetwork(world.Network, process, owner);
        if (!process.Machine.Disks.TryGetValue(process.Name, out var store))
        {
            store = new DiskStore();
            process.Machine.Disks[process.Name] = store;
        }

        disk = store;
    }

    public string Name => process.Name;

    public string Machine => process.Machine.Name;

    public int Incarnation => owner.Incarnation;

    public IClock Clock { get; }

    public IRandomSource Random { get; }

    public INetwork Network { get; }

    public IDisk Disk => this;

    public ILog Log => this;

    public CancellationToken Lifetime { get; }

    public void Spawn(string name, Func<CancellationToken, Task> loop)
    {
        if (!owner.Alive)
        {
            return;
        }

        owner.Run(() => _ = ObserveAsync(name, loop));
    }

    // A killed incarnation's code never runs under the loop engine; under Coyote a continuation already
    // runnable at the kill may still run, so every effect it could have on the world is dropped here.
    void ILog.Event(SimEvent evt)
    {
        if (owner.Alive)
        {
            world.Emit(evt, process.Name);
        }
    }

    void ILog.Info(string evt, string details)
    {
        if (owner.Alive)
        {
            world.Log("log." + evt, process.Name, details);
        }
    }

    void ILog.Warn(string evt, string details)
    {
        if (owner.Alive)
        {
            world.Log("warn." + evt, process.Name, details);
        }
    }

    void IDisk.Write(string key, ReadOnlySpan<byte> value)
    {
        if (owner.Alive)
        {
            disk.Write(key, value.ToArray());
        }
    }

    void IDisk.Delete(string key)
    {
        if (owner.Alive)
        {
            disk.Write(key, null);
        }
    }

    byte[]? IDisk.Read(string key) => disk.Read(key);

    IReadOnlyList<string> IDisk.Keys(string prefix) => disk.Keys(prefix);

    /// <summary>BUGGIFY at <paramref name="site"/> for this incarnation: never for a killed one.</summary>
    public bool Buggify(string site) => owner.Alive && world.Buggify.Reached(site, process.Name);

    async Task IDisk.FlushAsync(CancellationToken cancellationToken)
    {
        var count = disk.PendingCount;
        if (count == 0)
        {
            return;
        }

        await disk.WhileStalledAsync(owner, cancellationToken);
        await Clock.Delay(world.Options.FlushLatency, cancellationToken);
        if (!owner.Alive)
        {
            return;
        }

        disk.Commit(count);
        world.Emit(new DiskFlushed(count), process.Name);
        if (Buggify(BuggifyCatalogue.FlushReturnsLate))
        {
            // Durable already, but the caller hears of it late (a slow completion path): a kill in between loses the ack, not the data.
            var latency = world.Options.FlushLatency;
            await Clock.Delay(world.Buggify.Between(latency, latency * 50), cancellationToken);
        }
    }

    private async Task ObserveAsync(string name, Func<CancellationToken, Task> loop)
    {
        owner.RunningLoops++;
        try
        {
            await loop(Lifetime);
        }
        catch (OperationCanceledException) when (Lifetime.IsCancellationRequested)
        {
        }
        catch (Exception e)
        {
            world.Emit(new LoopCrashed(name, e.GetType().Name, e.Message), process.Name);
        }
        finally
        {
            owner.RunningLoops--;
        }
    }
}
