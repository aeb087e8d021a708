using Sim.Worlds;

namespace Sim.Tests;

/// <summary>Virtual time and per-machine clock skew.</summary>
public sealed class ClockTests
{
    [Fact]
    public void ClockSkewShiftsUtcNowOnTheSkewedMachineOnly()
    {
        var skew = TimeSpan.FromSeconds(5);
        var samples = new List<(string Machine, TimeSpan Elapsed, TimeSpan Offset)>();
        var result = TestWorld.Run("skew", ctx =>
        {
            var (m1, m2) = NetworkFaultTests.TwoMachines(ctx);
            ctx.Horizon = TimeSpan.FromSeconds(5);
            ctx.QuietAt = TimeSpan.FromSeconds(3);
            ctx.At(TimeSpan.FromSeconds(1), new FaultAction.Skew("m1", skew));
            foreach (var machine in new[] { m1, m2 })
            {
                ctx.Process("p-" + machine.Name, machine, async host =>
                {
                    foreach (var at in new[] { 0.5, 2.0, 4.0 })
                    {
                        await host.Clock.Delay(TimeSpan.FromSeconds(at) - host.Clock.Elapsed);
                        samples.Add((host.Machine, host.Clock.Elapsed, host.Clock.UtcNow - (World.Epoch + host.Clock.Elapsed)));
                    }
                });
            }
        });

        result.AssertClean();
        var skewEvent = Assert.Single(result.Events<ClockSkewed>(), e => e.Subject == "m1" && e.Event.Skew == TimeSpan.FromSeconds(5));
        TestWorld.AssertSameInstant(skewEvent.Time, TimeSpan.FromSeconds(1));

        // Elapsed is never skewed; UtcNow is, on m1 only, until the quiet point clears the skew.
        Assert.Equal([0.5, 2.0, 4.0, 0.5, 2.0, 4.0], samples.OrderBy(s => s.Machine, StringComparer.Ordinal).ThenBy(s => s.Elapsed).Select(s => s.Elapsed.TotalSeconds));
        Assert.Equal([TimeSpan.Zero, skew, TimeSpan.Zero], samples.Where(s => s.Machine == "m1").Select(s => s.Offset));
        Assert.Equal([TimeSpan.Zero, TimeSpan.Zero, TimeSpan.Zero], samples.Where(s => s.Machine == "m2").Select(s => s.Offset));
    }

    [Fact]
    public void RandomSkewsStayWithinTheProfilesBound()
    {
        var maxSkew = TimeSpan.FromSeconds(2);
        var offsets = new List<TimeSpan>();
        var result = TestWorld.Run("random-skews", ctx =>
        {
            var (m1, _) = NetworkFaultTests.TwoMachines(ctx);
            ctx.Horizon = TimeSpan.FromSeconds(30);
            ctx.Faults(new FaultProfile { Name = "skews", Faults = [new ClockSkewFault { PerMinute = 30, MaxSkew = maxSkew }] });
            ctx.Process("p", m1, async host =>
            {
                while (true)
                {
                    await host.Clock.Delay(TimeSpan.FromMilliseconds(100));
                    offsets.Add(host.Clock.UtcNow - World.Epoch - host.Clock.Elapsed);
                }
            });
        });

        result.AssertClean();
        Assert.Contains(result.Events<ClockSkewed>(), e => e.Subject == "m1");
        Assert.Contains(offsets, o => o != TimeSpan.Zero);
        Assert.All(offsets, o => Assert.True(o.Duration() <= maxSkew, $"skew {o} beyond {maxSkew}"));
        Assert.Equal(TimeSpan.Zero, offsets[^1]);
    }

    [Fact]
    public void DelayWaitsExactlyItsVirtualDurationAndHonoursCancellation()
    {
        var woke = TimeSpan.Zero;
        var cancelledAt = TimeSpan.Zero;
        var result = TestWorld.Run("delay", ctx =>
        {
            var m1 = ctx.Machine("m1", "site-a", "10.0.0.1");
            ctx.Horizon = TimeSpan.FromHours(2);
            ctx.Process("p", m1, async host =>
            {
                await host.Clock.Delay(TimeSpan.FromMinutes(90));
                woke = host.Clock.Elapsed;
                using var cts = new CancellationTokenSource();
                host.Spawn("canceller", async _ =>
                {
                    await host.Clock.Delay(TimeSpan.FromSeconds(1));
                    cts.Cancel(); // not CancelAsync: that runs the callbacks on the thread pool, outside the simulation
                });
                try
                {
                    await host.Clock.Delay(TimeSpan.FromMinutes(10), cts.Token);
                }
                catch (OperationCanceledException)
                {
                    cancelledAt = host.Clock.Elapsed;
                }
            });
        });

        result.AssertClean();
        Assert.Equal(TimeSpan.FromMinutes(90), woke);
        Assert.Equal(TimeSpan.FromMinutes(90) + TimeSpan.FromSeconds(1), cancelledAt);
        Assert.True(result.WallTime < TimeSpan.FromSeconds(5));
    }
}
