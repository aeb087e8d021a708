using Sim.Engine;
using Sim.Stack.Host;
using Sim.Worlds;

namespace Sim.Tests;

/// <summary>Partitions: dials across a cut fail as unreachable; established connections across a cut reset after the keepalive timeout.</summary>
public sealed class PartitionTests
{
    private static readonly NetworkOptions Net = new();

    [Fact]
    public void SymmetricCutFailsDialsAndResetsConnectionsAfterTheKeepaliveTimeout()
    {
        var cutAt = TimeSpan.FromSeconds(1);
        var healAt = TimeSpan.FromSeconds(6);
        var w = new Watch();
        var result = TestWorld.Run("symmetric", ctx =>
        {
            var (m1, m2) = NetworkFaultTests.TwoMachines(ctx);
            ctx.Horizon = TimeSpan.FromSeconds(8);
            ctx.At(cutAt, new FaultAction.Partition(["m1"], ["m2"]));
            ctx.At(healAt, new FaultAction.HealNetwork());
            Server(ctx, m2, w);
            ctx.Process("client", m1, async host =>
            {
                var conn = await host.Network.DialAsync("10.0.0.2", 9000);
                host.Spawn("watch", async _ => w.ClientError = await ErrorOf(host, () => conn.ReceiveAsync()));
                await host.Clock.Delay(TimeSpan.FromSeconds(1.5) - host.Clock.Elapsed);
                w.Dials.Add((host.Clock.Elapsed, await ErrorOf(host, () => host.Network.DialAsync("10.0.0.2", 9000))));
                await host.Clock.Delay(TimeSpan.FromSeconds(6.5) - host.Clock.Elapsed);
                w.Dials.Add((host.Clock.Elapsed, await ErrorOf(host, () => host.Network.DialAsync("10.0.0.2", 9000))));
            });
        });

        result.AssertClean();
        Assert.Equal(["m1->m2", "m2->m1"], result.Events<LinkCut>().Select(e => e.Subject).Order(StringComparer.Ordinal));
        Assert.Equal(2, result.Events<LinkHealed>().Count);

        // The established connection breaks on both ends once the keepalive timeout has passed.
        var resetAt = cutAt + Net.KeepaliveTimeout;
        Assert.IsType<ConnectionResetException>(w.ClientError.Error);
        Assert.Equal(resetAt, w.ClientError.At);
        Assert.IsType<ConnectionResetException>(Assert.Single(w.ServerErrors).Error);
        Assert.Equal(resetAt, w.ServerErrors[0].At);
        TestWorld.AssertSameInstant(Assert.Single(result.Events<ConnectionReset>()).Time, resetAt);

        // A dial across the cut times out as unreachable; after the heal it connects.
        Assert.IsType<HostUnreachableException>(w.Dials[0].Error.Error);
        Assert.Equal(w.Dials[0].Start + Net.ConnectTimeout, w.Dials[0].Error.At);
        Assert.Null(w.Dials[1].Error.Error);
        Assert.Equal(2, w.Accepted);
    }

    [Fact]
    public void AsymmetricCutStopsOneDirectionOnly()
    {
        var cutAt = TimeSpan.FromSeconds(1);
        var w = new Watch();
        var down = new List<(int Value, TimeSpan At)>();
        var up = new List<int>();
        var result = TestWorld.Run("asymmetric", ctx =>
        {
            var (m1, m2) = NetworkFaultTests.TwoMachines(ctx);
            ctx.Horizon = TimeSpan.FromSeconds(5);
            ctx.At(cutAt, new FaultAction.Partition(["m1"], ["m2"], OneWay: true));
            ctx.Process("server", m2, async host =>
            {
                using var listener = host.Network.Listen("10.0.0.2", 9000);
                var conn = await listener.AcceptAsync();
                host.Spawn("send", async _ =>
                {
                    await host.Clock.Delay(TimeSpan.FromSeconds(1.2) - host.Clock.Elapsed);
                    conn.Send(TestWorld.Frame(7));
                });
                w.ServerErrors.Add(await ErrorOf(host, async () =>
                {
                    while (await conn.ReceiveAsync() is { } frame)
                    {
                        up.Add(TestWorld.Value(frame));
                    }
                }));
            });
            ctx.Process("client", m1, async host =>
            {
                var conn = await host.Network.DialAsync("10.0.0.2", 9000);
                host.Spawn("read", async _ => w.ClientError = await ErrorOf(host, async () =>
                {
                    while (await conn.ReceiveAsync() is { } frame)
                    {
                        down.Add((TestWorld.Value(frame), host.Clock.Elapsed));
                    }
                }));
                await host.Clock.Delay(TimeSpan.FromSeconds(1.2) - host.Clock.Elapsed);
                conn.Send(TestWorld.Frame(8));
                await host.Clock.Delay(TimeSpan.FromSeconds(0.3));
                w.Dials.Add((host.Clock.Elapsed, await ErrorOf(host, () => host.Network.DialAsync("10.0.0.2", 9000))));
            });
        });

        result.AssertClean();
        Assert.Equal("m1->m2", Assert.Single(result.Events<LinkCut>()).Subject);

        // m2 -> m1 still flows; m1 -> m2 is lost and retransmitted in vain.
        Assert.Equal([7], down.Select(d => d.Value));
        Assert.True(down[0].At < TimeSpan.FromSeconds(1.2) + Net.Latency.Max);
        Assert.Empty(up);
        Assert.NotEmpty(result.Events<FrameLost>());
        Assert.All(result.Events<FrameLost>(), e => Assert.Equal("m1->m2", e.Subject));

        // A connection needs both directions: dialing fails, and the established one resets after the keepalive timeout.
        Assert.IsType<HostUnreachableException>(Assert.Single(w.Dials).Error.Error);
        Assert.IsType<ConnectionResetException>(w.ClientError.Error);
        Assert.Equal(cutAt + Net.KeepaliveTimeout, w.ClientError.At);
        Assert.IsType<ConnectionResetException>(Assert.Single(w.ServerErrors).Error);
    }

    [Fact]
    public void ConnectionSurvivesACutShorterThanTheKeepaliveTimeout()
    {
        var w = new Watch();
        var received = new List<(int Value, TimeSpan At)>();
        var result = TestWorld.Run("short-cut", ctx =>
        {
            var (m1, m2) = NetworkFaultTests.TwoMachines(ctx);
            ctx.Horizon = TimeSpan.FromSeconds(6);
            ctx.At(TimeSpan.FromSeconds(1), new FaultAction.Partition(["m1"], ["m2"]));
            ctx.At(TimeSpan.FromSeconds(2), new FaultAction.HealNetwork());
            ctx.Process("server", m2, async host =>
            {
                using var listener = host.Network.Listen("10.0.0.2", 9000);
                var conn = await listener.AcceptAsync();
                w.ServerErrors.Add(await ErrorOf(host, async () =>
                {
                    while (await conn.ReceiveAsync() is { } frame)
                    {
                        received.Add((TestWorld.Value(frame), host.Clock.Elapsed));
                    }
                }));
            });
            ctx.Process("client", m1, async host =>
            {
                var conn = await host.Network.DialAsync("10.0.0.2", 9000);
                await host.Clock.Delay(TimeSpan.FromSeconds(1.2) - host.Clock.Elapsed);
                conn.Send(TestWorld.Frame(1));
            });
        });

        result.AssertClean();
        Assert.Empty(result.Events<ConnectionReset>());
        Assert.Empty(w.ServerErrors);
        Assert.NotEmpty(result.Events<FrameLost>());

        // The frame sent into the cut is retransmitted once the link heals, and arrives once.
        var (value, at) = Assert.Single(received);
        Assert.Equal(1, value);
        Assert.True(at >= TimeSpan.FromSeconds(2), $"arrived at {at}, before the heal");
    }

    [Fact]
    public void KeepaliveTimesTheCurrentCutNotAnEarlierHealedOne()
    {
        // Cut for 0.5 s, healed for 1.4 s, cut again for 0.6 s: the link is never down for the 2 s keepalive
        // timeout, so the connection must survive.
        var w = new Watch();
        var result = TestWorld.Run("flapping-cut", ctx =>
        {
            var (m1, m2) = NetworkFaultTests.TwoMachines(ctx);
            ctx.Horizon = TimeSpan.FromSeconds(6);
            ctx.At(TimeSpan.FromSeconds(1), new FaultAction.Partition(["m1"], ["m2"]));
            ctx.At(TimeSpan.FromSeconds(1.5), new FaultAction.HealNetwork());
            ctx.At(TimeSpan.FromSeconds(2.9), new FaultAction.Partition(["m1"], ["m2"]));
            ctx.At(TimeSpan.FromSeconds(3.5), new FaultAction.HealNetwork());
            Server(ctx, m2, w);
            ctx.Process("client", m1, async host =>
            {
                var conn = await host.Network.DialAsync("10.0.0.2", 9000);
                w.ClientError = await ErrorOf(host, () => conn.ReceiveAsync());
            });
        });

        result.AssertClean();
        Assert.True(result.Events<ConnectionReset>().Count == 0, "reset after a cut shorter than the keepalive timeout: " + string.Join("; ", result.Events<ConnectionReset>()));
        Assert.Null(w.ClientError.Error);
        Assert.Empty(w.ServerErrors);
    }

    [Theory]
    [InlineData(PartitionMode.Symmetric)]
    [InlineData(PartitionMode.Asymmetric)]
    [InlineData(PartitionMode.GroupSplit)]
    [InlineData(PartitionMode.IsolateOne)]
    [InlineData(PartitionMode.Swizzle)]
    public void RandomPartitionsOfEachShapeCutTheLinksTheyLog(PartitionMode mode)
    {
        var quietAt = TimeSpan.FromSeconds(40);
        var profile = new FaultProfile
        {
            Name = mode.ToString(),
            Faults = [new PartitionFault { PerMinute = 6, Lasting = DurationRange.Seconds(2.5, 5), Modes = [mode] }],
        };
        var machines = new[] { "m1", "m2", "m3", "m4" };
        var result = TestWorld.Run("mesh-" + mode, ctx =>
        {
            ctx.Horizon = TimeSpan.FromSeconds(45);
            ctx.QuietAt = quietAt;
            ctx.Faults(profile);
            foreach (var (name, i) in machines.Select((n, i) => (n, i)))
            {
                var machine = ctx.Machine(name, "site-" + name, $"10.0.0.{i + 1}");
                ctx.Process("s-" + name, machine, host => EchoServer(host));
                ctx.Process("p-" + name, machine, host => ProbeAsync(host, name, machines), killable: false);
            }
        });

        result.AssertClean();
        var partitions = DrawnPartitions(result);
        Assert.True(partitions.Count >= 3, $"only {partitions.Count} partitions were injected");
        Assert.All(partitions, p => Assert.Equal(mode, p.Shape));
        foreach (var partition in partitions)
        {
            AssertShape(mode, partition.Pairs, machines);
        }

        AssertIsolatedPartitionsCutAndHealAsLogged(result, mode, partitions, quietAt);
        AssertProbesMatchTheLoggedCuts(result);
    }

    // ---- the mesh world ------------------------------------------------------------------------------

    private static async Task EchoServer(IHost host)
    {
        using var listener = host.Network.Listen("0.0.0.0", 9000);
        while (true)
        {
            var conn = await listener.AcceptAsync(host.Lifetime);
            host.Spawn("drain", async token =>
            {
                try
                {
                    while (await conn.ReceiveAsync(token) is not null)
                    {
                    }
                }
                catch (NetworkException)
                {
                }
            });
        }
    }

    /// <summary>Every 250 ms, dials every machine it has no connection to; logs each dial, its outcome and each reset.</summary>
    private static async Task ProbeAsync(IHost host, string self, string[] machines)
    {
        var open = new Dictionary<string, IConnection>(StringComparer.Ordinal);
        while (true)
        {
            await host.Clock.Delay(TimeSpan.FromMilliseconds(250));
            foreach (var (target, i) in machines.Select((m, i) => (m, i)).Where(t => t.m != self))
            {
                if (open.ContainsKey(target))
                {
                    continue;
                }

                host.Log.Event(new ProbeDialed(self, target));
                try
                {
                    var conn = await host.Network.DialAsync($"10.0.0.{i + 1}", 9000);
                    host.Log.Event(new ProbeResult(self, target, null));
                    open[target] = conn;
                    host.Spawn("watch-" + target, async _ =>
                    {
                        try
                        {
                            await conn.ReceiveAsync();
                        }
                        catch (NetworkException e)
                        {
                            host.Log.Event(new ProbeReset(self, target, e.GetType().Name));
                        }

                        open.Remove(target);
                    });
                }
                catch (NetworkException e)
                {
                    host.Log.Event(new ProbeResult(self, target, e.GetType().Name));
                }
            }
        }
    }

    // ---- checks --------------------------------------------------------------------------------------

    /// <summary>
    /// The partitions the injector drew, from their typed events: when, which links in which order, for how long.
    /// </summary>
    private static List<Drawn> DrawnPartitions(RunResult result) =>
        [.. result.Log.Entries.Select(e => (e.Time, e.Event) switch
        {
            (var at, FaultAction.Partition { Origin: FaultOrigin.Drawn } p) => new Drawn(at, p.Shape, [.. p.Links], p.Lasts!.Value),
            (var at, FaultAction.Swizzle { Origin: FaultOrigin.Drawn } s) => new Drawn(at, PartitionMode.Swizzle, [.. s.Cuts], s.For),
            _ => null,
        }).OfType<Drawn>()];

    private static void AssertShape(PartitionMode mode, List<(string From, string To)> pairs, string[] machines)
    {
        var set = pairs.ToHashSet();
        Assert.Equal(pairs.Count, set.Count);
        Assert.All(pairs, p => Assert.NotEqual(p.From, p.To));
        switch (mode)
        {
            case PartitionMode.Asymmetric:
                Assert.Single(pairs);
                break;
            case PartitionMode.Symmetric:
                Assert.Equal(2, pairs.Count);
                Assert.Contains((pairs[0].To, pairs[0].From), set);
                break;
            case PartitionMode.IsolateOne:
                {
                    var lone = machines.Single(m => machines.Where(o => o != m).All(o => set.Contains((m, o)) && set.Contains((o, m))));
                    Assert.Equal(2 * (machines.Length - 1), pairs.Count);
                    Assert.All(pairs, p => Assert.True(p.From == lone || p.To == lone));
                    break;
                }

            case PartitionMode.GroupSplit:
            case PartitionMode.Swizzle:
                {
                    // Two non-empty groups, every link between them cut both ways, none inside a group.
                    var group = new HashSet<string>(StringComparer.Ordinal) { machines[0] };
                    group.UnionWith(machines.Where(m => m != machines[0] && !set.Contains((machines[0], m))));
                    var other = machines.Where(m => !group.Contains(m)).ToList();
                    Assert.NotEmpty(other);
                    var expected = group.SelectMany(a => other.SelectMany(b => new[] { (a, b), (b, a) })).ToHashSet();
                    Assert.True(expected.SetEquals(set), $"{mode} cut {string.Join(' ', pairs)}, not a split of [{string.Join(',', group)}] from [{string.Join(',', other)}]");
                    break;
                }
        }
    }

    /// <summary>For partitions that overlap no other, the cuts and heals happen exactly as the shape says, at the logged times.</summary>
    private static void AssertIsolatedPartitionsCutAndHealAsLogged(RunResult result, PartitionMode mode, IReadOnlyList<Drawn> partitions, TimeSpan quietAt)
    {
        var tolerance = TimeSpan.FromMilliseconds(1);
        var cuts = result.Events<LinkCut>();
        var heals = result.Events<LinkHealed>();
        var windows = partitions.Select(p => (Start: p.Time, End: p.Time + p.Duration)).ToList();
        var isolated = 0;
        var swizzleReordered = false;
        for (var i = 0; i < partitions.Count; i++)
        {
            var (start, end) = windows[i];
            if (end + tolerance >= quietAt || windows.Where((_, j) => j != i).Any(o => o.Start <= end + tolerance && start <= o.End + tolerance))
            {
                continue;
            }

            isolated++;
            var pairs = partitions[i].Pairs;
            var mine = cuts.Where(c => c.Time >= start && c.Time <= end + tolerance).ToList();
            var healed = heals.Where(h => h.Time >= start && h.Time <= end + tolerance).ToList();
            Assert.Equal(pairs.Order(), mine.Select(c => (c.Event.From, c.Event.To)).Order());
            Assert.Equal(pairs.Count, healed.Count);
            Assert.Equal(mine.Select(c => (c.Event.From, c.Event.To)).Order(), healed.Select(h => (h.Event.From, h.Event.To)).Order());
            if (mode == PartitionMode.Swizzle)
            {
                // One link at a time, in the logged order, then healed one at a time.
                Assert.Equal(pairs, mine.Select(c => (c.Event.From, c.Event.To)));
                Assert.Equal(mine.Count, mine.Select(c => c.Time).Distinct().Count());
                Assert.Equal(healed.Count, healed.Select(h => h.Time).Distinct().Count());
                Assert.True(healed[0].Time > mine[^1].Time);
                swizzleReordered |= !healed.Select(h => (h.Event.From, h.Event.To)).SequenceEqual(mine.Select(c => (c.Event.From, c.Event.To)));
            }
            else
            {
                Assert.All(mine, c => Assert.Equal(start, c.Time));
                Assert.All(healed, h => Assert.True((h.Time - end).Duration() <= tolerance, $"healed at {h.Time}, expected {end}"));
            }
        }

        Assert.True(isolated > 0, "no partition stood alone: nothing could be checked exactly");
        Assert.True(mode != PartitionMode.Swizzle || swizzleReordered, "swizzle healed every link in the order it cut them");
    }

    /// <summary>
    /// Replays the log: a dial that starts while either direction of its link is cut fails as unreachable, and
    /// only then; a connection resets only after its link was cut for the keepalive timeout, and it does reset then.
    /// </summary>
    private static void AssertProbesMatchTheLoggedCuts(RunResult result)
    {
        var cut = new HashSet<string>(StringComparer.Ordinal);
        var cutSince = new Dictionary<string, TimeSpan>(StringComparer.Ordinal);
        var pending = new Dictionary<string, bool>(StringComparer.Ordinal);
        var open = new Dictionary<(string From, string To), TimeSpan>();
        int unreachable = 0, connected = 0, resets = 0;

        static string Link(string a, string b) => string.CompareOrdinal(a, b) < 0 ? $"{a}|{b}" : $"{b}|{a}";
        bool IsDown(string a, string b) => cut.Contains($"{a}->{b}") || cut.Contains($"{b}->{a}");

        foreach (var e in result.Log.Entries)
        {
            switch (e.Event)
            {
                case LinkCut c:
                    if (!IsDown(c.From, c.To))
                    {
                        cutSince[Link(c.From, c.To)] = e.Time;
                    }

                    cut.Add(c.Subject);
                    break;

                case LinkHealed h:
                    {
                        cut.Remove(h.Subject);
                        if (!IsDown(h.From, h.To))
                        {
                            var link = Link(h.From, h.To);
                            var since = cutSince[link];
                            cutSince.Remove(link);
                            if (e.Time - since > Net.KeepaliveTimeout + TimeSpan.FromMilliseconds(1))
                            {
                                var survivors = open.Where(o => Link(o.Key.From, o.Key.To) == link && o.Value < since).Select(o => o.Key).ToList();
                                Assert.True(survivors.Count == 0, $"{string.Join(", ", survivors)} survived a cut of {(e.Time - since).TotalSeconds:F3}s (keepalive {Net.KeepaliveTimeout.TotalSeconds}s)");
                            }
                        }

                        break;
                    }

                case ProbeDialed d:
                    pending[e.Subject] = IsDown(d.From, d.To);
                    break;

                case ProbeResult r:
                    {
                        var expectUnreachable = pending[e.Subject];
                        Assert.True(expectUnreachable == (r.Error == nameof(HostUnreachableException)), $"{r}: the link was {(expectUnreachable ? "" : "not ")}cut when the dial started");
                        if (r.Error is null)
                        {
                            open[(r.From, r.To)] = e.Time;
                            connected++;
                        }
                        else if (expectUnreachable)
                        {
                            unreachable++;
                        }

                        break;
                    }

                case ProbeReset r:
                    {
                        Assert.Equal(nameof(ConnectionResetException), r.Error);
                        Assert.True(IsDown(r.From, r.To), $"{r}: reset while the link was up");
                        var downFor = e.Time - cutSince[Link(r.From, r.To)];
                        Assert.True(downFor >= Net.KeepaliveTimeout - TimeSpan.FromMicroseconds(1), $"{r}: reset after the link was cut for only {downFor.TotalSeconds:F6}s");
                        open.Remove((r.From, r.To));
                        resets++;
                        break;
                    }

                default:
                    break;
            }
        }

        Assert.True(unreachable > 0 && connected > 0 && resets > 0, $"the probes saw too little: {unreachable} unreachable dials, {connected} connections, {resets} resets");
    }

    // ---- helpers -------------------------------------------------------------------------------------

    private static void Server(Sim.Scenarios.ScenarioContext ctx, Machine machine, Watch w) =>
        ctx.Process("server", machine, async host =>
        {
            using var listener = host.Network.Listen("10.0.0.2", 9000);
            while (true)
            {
                var conn = await listener.AcceptAsync();
                w.Accepted++;
                host.Spawn("read", async _ =>
                {
                    var error = await ErrorOf(host, () => conn.ReceiveAsync());
                    if (error.Error is not null)
                    {
                        w.ServerErrors.Add(error);
                    }
                });
            }
        });

    private static async Task<(Exception? Error, TimeSpan At)> ErrorOf(IHost host, Func<Task> action)
    {
        try
        {
            await action();
            return (null, host.Clock.Elapsed);
        }
        catch (NetworkException e)
        {
            return (e, host.Clock.Elapsed);
        }
    }

    private sealed record Drawn(TimeSpan Time, PartitionMode? Shape, List<(string From, string To)> Pairs, TimeSpan Duration);

    private sealed class Watch
    {
        public int Accepted { get; set; }

        public (Exception? Error, TimeSpan At) ClientError { get; set; }

        public List<(Exception? Error, TimeSpan At)> ServerErrors { get; } = [];

        public List<(TimeSpan Start, (Exception? Error, TimeSpan At) Error)> Dials { get; } = [];
    }
}

/// <summary>A probe starts dialing from one machine to another.</summary>
internal sealed record ProbeDialed(string From, string To) : SimEvent
{
    public override string Kind => "probe.dial";
}

/// <summary>A probe's dial connected (no error) or failed with <paramref name="Error"/>.</summary>
internal sealed record ProbeResult(string From, string To, string? Error) : SimEvent
{
    public override string Kind => "probe.result";
}

/// <summary>A probe's connection broke with <paramref name="Error"/>.</summary>
internal sealed record ProbeReset(string From, string To, string Error) : SimEvent
{
    public override string Kind => "probe.reset";
}
