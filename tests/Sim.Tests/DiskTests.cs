using System.Text;
using Sim.Stack.Host;
using Sim.Worlds;

namespace Sim.Tests;

/// <summary>The durable disk: what a flush makes durable, and what a kill takes away.</summary>
public sealed class DiskTests
{
    [Fact]
    public void KillLosesExactlyTheUnflushedWrites()
    {
        var observed = new List<(int Incarnation, string? A, string? B)>();
        var result = RunTwoIncarnations(async host =>
        {
            if (host.Incarnation == 1)
            {
                host.Disk.Write("a", "A"u8);
                await host.Disk.FlushAsync();
                host.Disk.Write("b", "B"u8);
            }

            observed.Add((host.Incarnation, Read(host, "a"), Read(host, "b")));
        });

        result.AssertClean();
        Assert.Equal([(1, "A", "B"), (2, "A", null)], observed);
        var kill = Assert.Single(result.Events<ProcessKilled>());
        Assert.Equal(1, kill.Event.UnflushedWritesLost);
        Assert.Equal(1, Assert.Single(result.Events<DiskFlushed>()).Event.Writes);
    }

    [Fact]
    public void KillDuringAFlushLosesTheWritesOfThatFlush()
    {
        string? recovered = "unset";
        var result = RunTwoIncarnations(async host =>
        {
            if (host.Incarnation == 1)
            {
                // The flush takes 2 ms from 0.999 s; the kill comes at 1 s.
                await host.Clock.Delay(TimeSpan.FromSeconds(0.999));
                host.Disk.Write("c", "C"u8);
                await host.Disk.FlushAsync();
            }
            else
            {
                recovered = Read(host, "c");
            }
        });

        result.AssertClean();
        Assert.Null(recovered);
        Assert.Empty(result.Events<DiskFlushed>());
        Assert.Equal(1, Assert.Single(result.Events<ProcessKilled>()).Event.UnflushedWritesLost);
    }

    [Fact]
    public void AFlushCoversOnlyTheWritesMadeBeforeItStarted()
    {
        var recovered = new List<string>();
        var result = RunTwoIncarnations(async host =>
        {
            if (host.Incarnation == 1)
            {
                host.Disk.Write("before", [1]);
                var flush = host.Disk.FlushAsync();
                host.Disk.Write("during", [2]);
                await flush;
            }
            else
            {
                recovered.AddRange(host.Disk.Keys(""));
            }
        });

        result.AssertClean();
        Assert.Equal(["before"], recovered);
        Assert.Equal(1, Assert.Single(result.Events<ProcessKilled>()).Event.UnflushedWritesLost);
    }

    [Fact]
    public void DeletesAreDurableOnlyOnceFlushed()
    {
        var keysBeforeKill = new List<string>();
        var recovered = new List<string>();
        var result = RunTwoIncarnations(async host =>
        {
            if (host.Incarnation == 1)
            {
                host.Disk.Write("x/a", [1]);
                host.Disk.Write("x/b", [2]);
                host.Disk.Write("y/c", [3]);
                await host.Disk.FlushAsync();
                host.Disk.Delete("x/a");
                await host.Disk.FlushAsync();
                host.Disk.Delete("x/b");
                keysBeforeKill.AddRange(host.Disk.Keys("x/"));
            }
            else
            {
                recovered.AddRange(host.Disk.Keys("x/"));
            }
        });

        result.AssertClean();
        Assert.Empty(keysBeforeKill);
        Assert.Equal(["x/b"], recovered);
    }

    [Fact]
    public void EachProcessHasItsOwnDisk()
    {
        var seen = new Dictionary<string, string?>(StringComparer.Ordinal);
        var result = TestWorld.Run("two-disks", ctx =>
        {
            var m1 = ctx.Machine("m1", "site-a", "10.0.0.1");
            ctx.Horizon = TimeSpan.FromSeconds(1);
            foreach (var name in new[] { "p", "q" })
            {
                ctx.Process(name, m1, async host =>
                {
                    if (name == "p")
                    {
                        host.Disk.Write("k", "from-p"u8);
                        await host.Disk.FlushAsync();
                    }

                    await host.Clock.Delay(TimeSpan.FromMilliseconds(100));
                    seen[name] = Read(host, "k");
                });
            }
        });

        result.AssertClean();
        Assert.Equal("from-p", seen["p"]);
        Assert.Null(seen["q"]);
    }

    /// <summary>Runs <paramref name="main"/> as process p, killed at 1 s and started again at 2 s.</summary>
    private static Sim.Engine.RunResult RunTwoIncarnations(Func<IHost, Task> main) =>
        TestWorld.Run("disk", ctx =>
        {
            var m1 = ctx.Machine("m1", "site-a", "10.0.0.1");
            ctx.Horizon = TimeSpan.FromSeconds(3);
            ctx.QuietAt = TimeSpan.FromSeconds(4);
            ctx.At(TimeSpan.FromSeconds(1), new FaultAction.Kill("p"));
            ctx.At(TimeSpan.FromSeconds(2), new FaultAction.Start("p"));
            ctx.Process("p", m1, main);
        });

    private static string? Read(IHost host, string key) => host.Disk.Read(key) is { } bytes ? Encoding.UTF8.GetString(bytes) : null;
}
