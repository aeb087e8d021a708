using Sim.Engine;
using Sim.Scenarios;
using Sim.Stack.Host;
using Sim.Worlds;

namespace Sim.Tests;

/// <summary>Frame-level faults (drop, duplicate, reorder, clog) and connection resets: visible in the log, invisible to the stream's order.</summary>
public sealed class NetworkFaultTests
{
    private const int Frames = 40;

    [Fact]
    public void DroppedFramesAreRetransmittedLateButArriveOnceAndInOrder()
    {
        var network = new NetworkOptions { DropProbability = 0.25 };
        var (result, pipe) = RunPipe(network, TimeSpan.FromMilliseconds(10));

        result.AssertClean();
        var drops = result.Events<FrameDropped>();
        Assert.NotEmpty(drops);
        Assert.All(drops, d => Assert.Equal("m1->m2", d.Subject));
        Assert.Equal(Enumerable.Range(0, Frames), pipe.Received.Select(r => r.Value));

        var dropped = drops.Select(d => (int)d.Event.Sequence).ToHashSet();
        foreach (var seq in dropped)
        {
            // The retransmission timeout is visible in when the frame arrives.
            Assert.True(pipe.Received[seq].At - pipe.Sent[seq] >= network.RetransmitTimeout, $"dropped frame {seq} arrived after {(pipe.Received[seq].At - pipe.Sent[seq]).TotalMilliseconds} ms");
        }

        for (var seq = 0; seq < Frames; seq++)
        {
            if (dropped.Contains(seq))
            {
                continue;
            }

            // A frame that was not dropped arrives within the link's latency, unless it waited for an earlier dropped one.
            var latency = pipe.Received[seq].At - pipe.Sent[seq];
            var heldBack = dropped.Any(d => d < seq && pipe.Received[d].At == pipe.Received[seq].At);
            Assert.True(latency <= network.Latency.Max || heldBack, $"frame {seq} took {latency.TotalMilliseconds} ms without being dropped");
        }
    }

    [Fact]
    public void DuplicatedFramesAreDiscardedByTheReceiver()
    {
        var (result, pipe) = RunPipe(new NetworkOptions { DuplicateProbability = 0.5 }, TimeSpan.FromMilliseconds(10));

        result.AssertClean();
        var duplicates = result.Events<FrameDuplicated>();
        var discarded = result.Events<DuplicateDiscarded>();
        Assert.NotEmpty(duplicates);
        foreach (var duplicate in duplicates)
        {
            Assert.Contains(discarded, d => d.Event.Sequence == duplicate.Event.Sequence && d.Time > duplicate.Time && d.Subject == "server");
        }

        Assert.Equal(duplicates.Count, discarded.Count);
        Assert.Equal(Enumerable.Range(0, Frames), pipe.Received.Select(r => r.Value));
        Assert.Equal(Frames, result.Events<FrameDelivered>().Count);
    }

    [Fact]
    public void ReorderedFramesAreOvertakenOnTheWireButReadInOrder()
    {
        var (result, pipe) = RunPipe(new NetworkOptions { ReorderProbability = 0.5, ReorderDelay = TimeSpan.FromMilliseconds(50) }, TimeSpan.FromMilliseconds(2));

        result.AssertClean();
        Assert.NotEmpty(result.Events<FrameReordered>());
        var wireOrder = result.Events<FrameDelivered>().Select(e => e.Event.Sequence).ToList();
        Assert.Equal(Frames, wireOrder.Count);
        Assert.NotEqual(wireOrder.Order(), wireOrder);
        Assert.Equal(Enumerable.Range(0, Frames), pipe.Received.Select(r => r.Value));
    }

    [Fact]
    public void ClogHoldsFramesOfOneDirectionUntilItEnds()
    {
        var clogStart = TimeSpan.FromSeconds(1);
        var clogEnd = TimeSpan.FromSeconds(3);
        var up = new List<(int Value, TimeSpan At)>();
        var down = new List<(int Value, TimeSpan At)>();
        var result = TestWorld.Run("clog", ctx =>
        {
            var (m1, m2) = TwoMachines(ctx);
            ctx.Horizon = TimeSpan.FromSeconds(6);
            ctx.At(clogStart, new FaultAction.Clog("m1", "m2", clogEnd - clogStart, OneWay: true));
            ctx.Process("server", m2, async host =>
            {
                using var listener = host.Network.Listen("10.0.0.2", 9000);
                var conn = await listener.AcceptAsync();
                host.Spawn("send-down", async _ =>
                {
                    await host.Clock.Delay(TimeSpan.FromSeconds(2) - host.Clock.Elapsed);
                    conn.Send(TestWorld.Frame(100));
                });
                while (await conn.ReceiveAsync() is { } frame)
                {
                    up.Add((TestWorld.Value(frame), host.Clock.Elapsed));
                }
            });
            ctx.Process("client", m1, async host =>
            {
                var conn = await host.Network.DialAsync("10.0.0.2", 9000);
                host.Spawn("read", async _ =>
                {
                    while (await conn.ReceiveAsync() is { } frame)
                    {
                        down.Add((TestWorld.Value(frame), host.Clock.Elapsed));
                    }
                });
                foreach (var (value, at) in new[] { (0, 0.5), (1, 1.5), (2, 2.5), (3, 3.5) })
                {
                    await host.Clock.Delay(TimeSpan.FromSeconds(at) - host.Clock.Elapsed);
                    conn.Send(TestWorld.Frame(value));
                }
            });
        });

        result.AssertClean();
        Assert.Contains(result.Events<LinkClogged>(), e => e.Subject == "m1->m2" && TestWorld.SameInstant(e.Time, clogStart));
        Assert.Equal([1L, 2L], result.Events<FrameHeld>().Select(e => e.Event.Sequence));
        Assert.Equal([0, 1, 2, 3], up.Select(u => u.Value));
        Assert.True(up[0].At < clogStart);
        Assert.True(up[1].At >= clogEnd && up[2].At >= clogEnd, $"clogged frames arrived at {up[1].At} and {up[2].At}, before the clog ended at {clogEnd}");
        Assert.True(up[3].At < TimeSpan.FromSeconds(3.5) + TimeSpan.FromMilliseconds(51));

        // The other direction is not clogged.
        Assert.Equal([100], down.Select(d => d.Value));
        Assert.True(down[0].At < clogEnd, $"the reverse direction was held until {down[0].At}");
    }

    [Fact]
    public void ConnectionResetByTheFaultInjectorFailsBothEndsReceive()
    {
        Exception? serverError = null;
        Exception? clientError = null;
        TimeSpan serverAt = default;
        TimeSpan clientAt = default;
        var result = TestWorld.Run("reset", ctx =>
        {
            var (m1, m2) = TwoMachines(ctx);
            ctx.Horizon = TimeSpan.FromSeconds(10);
            ctx.Faults(new FaultProfile { Name = "resets", Faults = [new ConnectionResetFault { PerMinute = 30 }] });
            ctx.Process("server", m2, async host =>
            {
                using var listener = host.Network.Listen("10.0.0.2", 9000);
                var conn = await listener.AcceptAsync();
                try
                {
                    await conn.ReceiveAsync();
                }
                catch (Exception e)
                {
                    (serverError, serverAt) = (e, host.Clock.Elapsed);
                }
            });
            ctx.Process("client", m1, async host =>
            {
                var conn = await host.Network.DialAsync("10.0.0.2", 9000);
                try
                {
                    await conn.ReceiveAsync();
                }
                catch (Exception e)
                {
                    (clientError, clientAt) = (e, host.Clock.Elapsed);
                }
            });
        });

        result.AssertClean();
        var reset = Assert.Single(result.Events<ConnectionReset>());
        Assert.Equal("connection reset by fault injector", reset.Event.Why);
        Assert.Equal("connection reset by fault injector", Assert.IsType<ConnectionResetException>(serverError).Reason);
        Assert.IsType<ConnectionResetException>(clientError);
        TestWorld.AssertSameInstant(reset.Time, serverAt);
        TestWorld.AssertSameInstant(reset.Time, clientAt);
    }

    [Fact]
    public void SendOnAResetConnectionThrows()
    {
        Exception? sendError = null;
        var result = TestWorld.Run("send-after-reset", ctx =>
        {
            var (m1, m2) = TwoMachines(ctx);
            ctx.Horizon = TimeSpan.FromSeconds(5);
            ctx.At(TimeSpan.FromSeconds(1), new FaultAction.Custom("reset-all", w =>
            {
                foreach (var id in w.Network.ConnectionIds)
                {
                    w.Network.ResetConnection(id, "test reset");
                }
            }));
            ctx.Process("server", m2, async host =>
            {
                using var listener = host.Network.Listen("10.0.0.2", 9000);
                await listener.AcceptAsync();
            });
            ctx.Process("client", m1, async host =>
            {
                var conn = await host.Network.DialAsync("10.0.0.2", 9000);
                await host.Clock.Delay(TimeSpan.FromSeconds(2));
                sendError = Record.Exception(() => conn.Send(TestWorld.Frame(1)));
            });
        });

        result.AssertClean();
        Assert.Equal("test reset", Assert.IsType<ConnectionResetException>(sendError).Reason);
    }

    [Fact]
    public void DialingAnUnknownNameOrAClosedPortFailsWithTypedErrors()
    {
        Exception? unknown = null;
        Exception? refused = null;
        var result = TestWorld.Run("dial-errors", ctx =>
        {
            var (m1, _) = TwoMachines(ctx);
            ctx.Horizon = TimeSpan.FromSeconds(5);
            ctx.Process("client", m1, async host =>
            {
                unknown = await Record.ExceptionAsync(() => host.Network.DialAsync("nowhere.example", 9000));
                refused = await Record.ExceptionAsync(() => host.Network.DialAsync("10.0.0.2", 9000));
            });
        });

        result.AssertClean();
        Assert.IsType<HostNotFoundException>(unknown);
        Assert.IsType<ConnectionRefusedException>(refused);
        Assert.Equal(2, result.Events<DialFailed>().Count);
    }

    [Fact]
    public void OrderlyCloseDeliversPendingFramesThenEndOfStream()
    {
        var received = new List<int>();
        var endOfStream = false;
        var result = TestWorld.Run("close", ctx =>
        {
            var (m1, m2) = TwoMachines(ctx);
            ctx.Horizon = TimeSpan.FromSeconds(5);
            ctx.Faults(new FaultProfile { Name = "reorder", Network = new NetworkOptions { ReorderProbability = 0.5 } });
            ctx.Process("server", m2, async host =>
            {
                using var listener = host.Network.Listen("10.0.0.2", 9000);
                var conn = await listener.AcceptAsync();
                while (await conn.ReceiveAsync() is { } frame)
                {
                    received.Add(TestWorld.Value(frame));
                }

                endOfStream = true;
            });
            ctx.Process("client", m1, async host =>
            {
                using var conn = await host.Network.DialAsync("10.0.0.2", 9000);
                for (var i = 0; i < 10; i++)
                {
                    conn.Send(TestWorld.Frame(i));
                }
            });
        });

        result.AssertClean();
        Assert.Equal(Enumerable.Range(0, 10), received);
        Assert.True(endOfStream);
    }

    internal static (Machine M1, Machine M2) TwoMachines(ScenarioContext ctx) =>
        (ctx.Machine("m1", "site-a", "10.0.0.1"), ctx.Machine("m2", "site-b", "10.0.0.2"));

    /// <summary>A client on m1 sends <see cref="Frames"/> numbered frames, <paramref name="gap"/> apart, to a server on m2.</summary>
    private static (RunResult Result, Pipe Pipe) RunPipe(NetworkOptions network, TimeSpan gap, ulong seed = 1)
    {
        var pipe = new Pipe();
        var result = TestWorld.Run("pipe", ctx =>
        {
            var (m1, m2) = TwoMachines(ctx);
            ctx.Horizon = TimeSpan.FromSeconds(10);
            ctx.Faults(new FaultProfile { Name = "frames", Network = network });
            ctx.Process("server", m2, async host =>
            {
                using var listener = host.Network.Listen("10.0.0.2", 9000);
                var conn = await listener.AcceptAsync();
                while (await conn.ReceiveAsync() is { } frame)
                {
                    pipe.Received.Add((TestWorld.Value(frame), host.Clock.Elapsed));
                }
            });
            ctx.Process("client", m1, async host =>
            {
                // Kept open (never disposed) so late duplicates still reach the receiver.
                var conn = await host.Network.DialAsync("10.0.0.2", 9000);
                for (var i = 0; i < Frames; i++)
                {
                    await host.Clock.Delay(gap);
                    pipe.Sent.Add(host.Clock.Elapsed);
                    conn.Send(TestWorld.Frame(i));
                }
            });
        }, seed);
        return (result, pipe);
    }

    private sealed class Pipe
    {
        public List<TimeSpan> Sent { get; } = [];

        public List<(int Value, TimeSpan At)> Received { get; } = [];
    }
}
