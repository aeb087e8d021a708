using Sim.Engine;
using Sim.Engine.Coyote;
using Sim.Scenarios;
using Sim.Stack.Defects;
using Sim.Stack.Host;
using Sim.Worlds;

namespace Sim.Tests;

/// <summary>Kill, restart, stop, pause and resume: what the process and its peers observe.</summary>
public sealed class ProcessLifecycleTests
{
    private static readonly TimeSpan Tick = TimeSpan.FromMilliseconds(100);

    [Fact]
    public void KilledProcessNeverRunsAgainAndItsPeerSeesAReset()
    {
        var killAt = TimeSpan.FromSeconds(1.05);
        var ticks = new List<TimeSpan>();
        Exception? peerError = null;
        var peerErrorAt = TimeSpan.Zero;
        var result = TestWorld.Run("kill", ctx =>
        {
            var (m1, m2) = NetworkFaultTests.TwoMachines(ctx);
            ctx.Horizon = TimeSpan.FromSeconds(5);
            ctx.QuietAt = TimeSpan.FromSeconds(6);
            ctx.At(killAt, new FaultAction.Kill("server"));
            ctx.Process("server", m2, async host =>
            {
                host.Spawn("ticker", async _ =>
                {
                    while (true)
                    {
                        await host.Clock.Delay(Tick);
                        ticks.Add(host.Clock.Elapsed);
                    }
                });
                using var listener = host.Network.Listen("10.0.0.2", 9000);
                var conn = await listener.AcceptAsync();
                while (await conn.ReceiveAsync() is not null)
                {
                    ticks.Add(TimeSpan.MaxValue); // never: the client sends nothing
                }
            });
            ctx.Process("client", m1, async host =>
            {
                var conn = await host.Network.DialAsync("10.0.0.2", 9000);
                try
                {
                    await conn.ReceiveAsync();
                }
                catch (NetworkException e)
                {
                    (peerError, peerErrorAt) = (e, host.Clock.Elapsed);
                }
            });
        });

        result.AssertClean();
        var kill = Assert.Single(result.Events<ProcessKilled>());
        Assert.Equal("server", kill.Subject);
        TestWorld.AssertSameInstant(kill.Time, killAt);
        Assert.Equal(10, ticks.Count);
        Assert.All(ticks, t => Assert.True(t <= killAt, $"the killed process ran at {t}"));
        Assert.IsType<ConnectionResetException>(peerError);
        Assert.Equal(killAt, peerErrorAt);
        Assert.Contains(result.Events<ListenerClosed>(), e => e.Subject == "server");
    }

    [Fact]
    public void KilledProcessesCallbacksDoNotRunWhenItsConnectionsAreReset()
    {
        // Killing a process resets its connections. Callbacks the dead incarnation registered on them
        // are its code too: after the kill they must not run (they could log, write to disk, ...).
        var killAt = TimeSpan.FromSeconds(1);
        var ranAfterDeath = new List<TimeSpan>();
        var result = TestWorld.Run("kill-callbacks", ctx =>
        {
            var (m1, m2) = NetworkFaultTests.TwoMachines(ctx);
            ctx.Horizon = TimeSpan.FromSeconds(3);
            ctx.QuietAt = TimeSpan.FromSeconds(4);
            ctx.At(killAt, new FaultAction.Kill("server"));
            ctx.Process("server", m2, async host =>
            {
                using var listener = host.Network.Listen("10.0.0.2", 9000);
                var conn = await listener.AcceptAsync();
                conn.Closed.Register(() =>
                {
                    ranAfterDeath.Add(host.Clock.Elapsed);
                    host.Log.Info("server.cleanup", "connection closed");
                });
                await host.Clock.Delay(TimeSpan.FromHours(1));
            });
            ctx.Process("client", m1, async host =>
            {
                var conn = await host.Network.DialAsync("10.0.0.2", 9000);
                await Record.ExceptionAsync(() => conn.ReceiveAsync());
            });
        });

        result.AssertClean();
        Assert.Single(result.Events<ProcessKilled>());
        Assert.True(ranAfterDeath.Count == 0, $"the killed server's code ran at {string.Join(", ", ranAfterDeath)}");
        Assert.Empty(result.Notes("log.server.cleanup"));
    }

    [Fact]
    public void RestartStartsANewIncarnationThatKeepsTheDurableDisk()
    {
        var boots = new List<(string Name, int Incarnation, string[] Seen, TimeSpan At)>();
        var result = TestWorld.Run("restart", ctx =>
        {
            var m1 = ctx.Machine("m1", "site-a", "10.0.0.1");
            ctx.Horizon = TimeSpan.FromSeconds(5);
            ctx.QuietAt = TimeSpan.FromSeconds(6);
            ctx.At(TimeSpan.FromSeconds(1), new FaultAction.Restart("p"));
            ctx.At(TimeSpan.FromSeconds(2), new FaultAction.Kill("p"));
            ctx.At(TimeSpan.FromSeconds(3), new FaultAction.Start("p"));
            ctx.Process("p", m1, async host =>
            {
                boots.Add((host.Name, host.Incarnation, host.Disk.Keys("boot/").ToArray(), host.Clock.Elapsed));
                host.Disk.Write($"boot/{host.Incarnation}", [1]);
                await host.Disk.FlushAsync();
                await host.Clock.Delay(TimeSpan.FromHours(1));
            });
        });

        result.AssertClean();
        Assert.Equal([1, 2, 3], boots.Select(b => b.Incarnation));
        Assert.All(boots, b => Assert.Equal("p", b.Name));
        Assert.Empty(boots[0].Seen);
        Assert.Equal(["boot/1"], boots[1].Seen);
        Assert.Equal(["boot/1", "boot/2"], boots[2].Seen);
        Assert.Equal([TimeSpan.Zero, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(3)], boots.Select(b => b.At));
        Assert.Equal([1, 2, 3], result.Events<ProcessStarted>().Select(e => e.Event.Incarnation));
    }

    [Fact]
    public void RandomKillsStopEachIncarnationForGoodAndRestartTheProcess()
    {
        var ticks = new List<(int Incarnation, TimeSpan At)>();
        var result = TestWorld.Run("random-kills", ctx =>
        {
            var m1 = ctx.Machine("m1", "site-a", "10.0.0.1");
            ctx.Horizon = TimeSpan.FromSeconds(20);
            ctx.Faults(new FaultProfile { Name = "kills", Faults = [new KillFault { PerMinute = 20, RestartAfter = DurationRange.Seconds(0.2, 0.5) }] });
            ctx.Process("victim", m1, async host =>
            {
                while (true)
                {
                    await host.Clock.Delay(TimeSpan.FromMilliseconds(30));
                    ticks.Add((host.Incarnation, host.Clock.Elapsed));
                }
            });
        });

        result.AssertClean();
        var kills = result.Events<ProcessKilled>();
        Assert.True(kills.Count >= 2, $"only {kills.Count} kills");
        var starts = result.Events<ProcessStarted>();
        foreach (var kill in kills)
        {
            Assert.Equal("killed by fault injector", kill.Event.Why);
            var incarnation = kill.Event.Incarnation;
            Assert.All(ticks.Where(t => t.Incarnation == incarnation), t => Assert.True(t.At <= kill.Time + TimeSpan.FromMicroseconds(1), $"incarnation {incarnation} ran at {t.At}, after its kill at {kill.Time}"));

            // Restarted as the next incarnation within the profile's restart window.
            var next = Assert.Single(starts, s => s.Event.Incarnation == incarnation + 1);
            var downFor = next.Time - kill.Time;
            Assert.InRange(downFor, TimeSpan.FromMilliseconds(199), TimeSpan.FromMilliseconds(501));
            Assert.Contains(ticks, t => t.Incarnation == incarnation + 1);
        }
    }

    [Fact]
    public void StopCancelsTheLifetimeThenKillsAfterTheGracePeriod()
    {
        var cancelledAt = TimeSpan.Zero;
        var cleanupFinished = false;
        string[]? recovered = null;
        var result = TestWorld.Run("stop", ctx =>
        {
            var m1 = ctx.Machine("m1", "site-a", "10.0.0.1");
            ctx.Horizon = TimeSpan.FromSeconds(5);
            ctx.QuietAt = TimeSpan.FromSeconds(6);
            ctx.At(TimeSpan.FromSeconds(1), new FaultAction.Stop("p", TimeSpan.FromMilliseconds(500)));
            ctx.At(TimeSpan.FromSeconds(3), new FaultAction.Start("p"));
            ctx.Process("p", m1, async host =>
            {
                if (host.Incarnation > 1)
                {
                    recovered = host.Disk.Keys("").ToArray();
                    return;
                }

                try
                {
                    await host.Clock.Delay(TimeSpan.FromSeconds(10), host.Lifetime);
                }
                catch (OperationCanceledException)
                {
                    cancelledAt = host.Clock.Elapsed;
                }

                // The grace period is long enough to flush, not to finish a long cleanup.
                host.Disk.Write("shutdown", [1]);
                await host.Disk.FlushAsync();
                await host.Clock.Delay(TimeSpan.FromSeconds(1));
                cleanupFinished = true;
            });
        });

        result.AssertClean();
        Assert.Equal(TimeSpan.FromSeconds(1), cancelledAt);
        Assert.False(cleanupFinished);
        Assert.NotNull(recovered);
        Assert.Equal(["shutdown"], recovered);
        TestWorld.AssertSameInstant(Assert.Single(result.Events<ProcessStopping>()).Time, TimeSpan.FromSeconds(1));
        var kill = Assert.Single(result.Events<ProcessKilled>());
        TestWorld.AssertSameInstant(kill.Time, TimeSpan.FromSeconds(1.5));
        Assert.Equal("stopped", kill.Event.Why);
    }

    internal static readonly TimeSpan PauseAt = TimeSpan.FromSeconds(1.05);
    internal static readonly TimeSpan ResumeAt = TimeSpan.FromSeconds(2.05);

    [Fact]
    public void PausedProcessMakesNoProgressUntilResumed()
    {
        var ticks = new List<TimeSpan>();
        var frames = new List<TimeSpan>();
        var result = TestWorld.Run("pause", ctx => PausedWorld(ctx, ticks, frames));

        result.AssertClean();
        TestWorld.AssertSameInstant(Assert.Single(result.Events<ProcessPaused>()).Time, PauseAt);
        TestWorld.AssertSameInstant(Assert.Single(result.Events<ProcessResumed>()).Time, ResumeAt);
        AssertFrozenWhilePaused(ticks, frames, result.Events<FrameDelivered>().Select(e => e.Time));
    }

    /// <summary>Process p ticks every 100 ms and reads frames; it is paused from 1.05 s to 2.05 s, and a frame reaches it at about 1.5 s.</summary>
    internal static void PausedWorld(ScenarioContext ctx, List<TimeSpan> ticks, List<TimeSpan> frames)
    {
        var (m1, m2) = NetworkFaultTests.TwoMachines(ctx);
        ctx.Horizon = TimeSpan.FromSeconds(3);
        ctx.At(PauseAt, new FaultAction.Pause("p"));
        ctx.At(ResumeAt, new FaultAction.Resume("p"));
        ctx.Process("p", m2, async host =>
        {
            using var listener = host.Network.Listen("10.0.0.2", 9000);
            host.Spawn("ticker", async _ =>
            {
                while (true)
                {
                    await host.Clock.Delay(Tick);
                    ticks.Add(host.Clock.Elapsed);
                }
            });
            var conn = await listener.AcceptAsync();
            while (await conn.ReceiveAsync() is not null)
            {
                frames.Add(host.Clock.Elapsed);
            }
        });
        ctx.Process("sender", m1, async host =>
        {
            var conn = await host.Network.DialAsync("10.0.0.2", 9000);
            await host.Clock.Delay(TimeSpan.FromSeconds(1.5) - host.Clock.Elapsed);
            conn.Send(TestWorld.Frame(1));
        });
    }

    /// <summary>No tick and no read between the pause and the resume; both go on at the resume.</summary>
    internal static void AssertFrozenWhilePaused(List<TimeSpan> ticks, List<TimeSpan> frames, IEnumerable<TimeSpan> deliveries)
    {
        Assert.DoesNotContain(ticks, t => t > PauseAt && t < ResumeAt);
        Assert.Contains(ticks, t => TestWorld.SameInstant(ResumeAt, t));
        Assert.Contains(ticks, t => t > ResumeAt);

        // A frame that arrived during the pause is read only once the process runs again.
        Assert.Contains(deliveries, t => t > PauseAt && t < ResumeAt);
        Assert.Single(frames, t => TestWorld.SameInstant(ResumeAt, t));
    }

    [Fact]
    public void RandomPausesLastWithinTheProfilesBoundsAndFreezeTheProcess()
    {
        var pauses = new PauseFault { PerMinute = 20, Lasting = DurationRange.Seconds(0.3, 1) };
        var profile = new FaultProfile { Name = "pauses", Faults = [pauses] };
        var ticks = new List<TimeSpan>();
        var result = TestWorld.Run("random-pauses", ctx =>
        {
            var m1 = ctx.Machine("m1", "site-a", "10.0.0.1");
            ctx.Horizon = TimeSpan.FromSeconds(20);
            ctx.Faults(profile);
            ctx.Process("p", m1, async host =>
            {
                while (true)
                {
                    await host.Clock.Delay(TimeSpan.FromMilliseconds(50));
                    ticks.Add(host.Clock.Elapsed);
                }
            });
        });

        result.AssertClean();
        var paused = result.Events<ProcessPaused>();
        var resumes = result.Events<ProcessResumed>();
        Assert.True(paused.Count >= 2, $"only {paused.Count} pauses");
        Assert.Equal(paused.Count, resumes.Count);
        foreach (var (pause, resume) in paused.Zip(resumes))
        {
            Assert.InRange(resume.Time - pause.Time, pauses.Lasting.Min - TimeSpan.FromMicroseconds(1), pauses.Lasting.Max + TimeSpan.FromMicroseconds(1));
            Assert.DoesNotContain(ticks, t => t > pause.Time + TimeSpan.FromMicroseconds(1) && t < resume.Time - TimeSpan.FromMicroseconds(1));
            Assert.Contains(ticks, t => TestWorld.SameInstant(resume.Time, t));
        }
    }
}

/// <summary>Pauses under Coyote, whose await continuations run as controlled tasks of their own, not as the process's posted code.</summary>
[Collection(nameof(CoyoteCollection))]
public sealed class ProcessPauseCoyoteTests
{
    [Fact]
    public void APausedProcessMakesNoProgressUnderCoyoteEither()
    {
        // Before, only posted callbacks waited for the resume: the ticker's sleeps still ended and the frame was read at
        // once, so a worker paused past its unhealthy mark went on heartbeating (scheduler-lease-pause never found
        // reschedule-double-commit under Coyote).
        var ticks = new List<TimeSpan>();
        var frames = new List<TimeSpan>();
        var scenario = new InlineScenario("pause-coyote", ctx => ProcessLifecycleTests.PausedWorld(ctx, ticks, frames));

        var outcome = CoyoteEngine.Explore(scenario, new RunConfig(scenario.Name, 1, "random", DefectSet.None), new CoyoteOptions("random", 1));

        Assert.Null(outcome.TestbedError);
        Assert.False(outcome.IsBug, outcome.Violation?.ToString());
        ProcessLifecycleTests.AssertFrozenWhilePaused(ticks, frames, outcome.Log!.Entries.Where(e => e.Event is FrameDelivered).Select(e => e.Time));
    }
}
