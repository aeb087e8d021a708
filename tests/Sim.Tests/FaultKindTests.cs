using System.Text;
using Sim.Engine;
using Sim.Engine.Coyote;
using Sim.Scenarios;
using Sim.Stack.Defects;
using Sim.Stack.Host;
using Sim.Worlds;

namespace Sim.Tests;

/// <summary>The fault vocabulary: the registry, knob checks, and what each new kind does to the world and how it heals.</summary>
public sealed class FaultKindTests
{
    private static readonly TimeSpan Tick = TimeSpan.FromMilliseconds(50);

    [Fact]
    public void EveryRegisteredKindHasAUniqueNameValidDefaultsAndValidSwarmDraws()
    {
        Assert.Equal(FaultKinds.All.Count, FaultKinds.All.Select(k => k.Name).Distinct().Count());
        foreach (var kind in FaultKinds.All)
        {
            kind.Validate();
            Assert.False(string.IsNullOrWhiteSpace(kind.Description), kind.Name);
            Assert.Same(kind, FaultKinds.Find(kind.Name));
            for (ulong seed = 1; seed <= 20; seed++)
            {
                var drawn = kind.Swarm(Rng.Stream(seed, kind.Name));
                drawn.Validate();
                Assert.Equal(kind.Name, drawn.Name);
                Assert.True(drawn.PerMinute > 0, $"{kind.Name}: a swarm draw that is on has a rate");
                Assert.StartsWith(kind.Name + " ", drawn.Describe(), StringComparison.Ordinal);
            }
        }

        Assert.Contains(FaultKinds.All, k => k.Name == "clog-one-way");
        Assert.Contains(FaultKinds.All, k => k.Name == "disk-stall");
    }

    [Theory]
    [InlineData("kill", "fault profile 'bad': fault kind 'kill': RestartAfter must satisfy 0 <= min <= max")]
    [InlineData("rate", "fault profile 'bad': fault kind 'pause': PerMinute must be a finite rate >= 0 (got -1)")]
    [InlineData("modes", "fault profile 'bad': fault kind 'partition': partitions are enabled but no partition mode is")]
    [InlineData("twice", "fault profile 'bad': fault kind 'reset' is configured twice")]
    [InlineData("network", "fault profile 'bad': DropProbability must be a probability in [0, 1] (got 2)")]
    public void AProfileWithAKnobOutOfRangeIsRejectedNamingTheKindAndTheKnob(string what, string message)
    {
        var profile = new FaultProfile
        {
            Name = "bad",
            Network = what == "network" ? new NetworkOptions { DropProbability = 2 } : new(),
            Faults = what switch
            {
                "kill" => [new KillFault { PerMinute = 1, RestartAfter = DurationRange.Seconds(3, 1) }],
                "rate" => [new PauseFault { PerMinute = -1 }],
                "modes" => [new PartitionFault { PerMinute = 1, Modes = [] }],
                "twice" => [new ConnectionResetFault { PerMinute = 1 }, new ConnectionResetFault { PerMinute = 2 }],
                _ => [],
            },
        };

        var e = Assert.Throws<ArgumentException>(() => TestWorld.Run("bad-profile", ctx => ctx.Faults(profile)));

        Assert.StartsWith(message, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ScriptedAndDrawnFaultsAreTheSameRecordsInTheLog()
    {
        var result = TestWorld.Run("same-records", ctx =>
        {
            ctx.Horizon = TimeSpan.FromSeconds(20);
            ctx.Faults(new FaultProfile { Name = "kills", Faults = [new KillFault { PerMinute = 20, RestartAfter = DurationRange.Seconds(0.2, 0.5) }] });
            ctx.At(TimeSpan.FromSeconds(1), new FaultAction.Kill("p"));
            ctx.At(TimeSpan.FromSeconds(2), new FaultAction.Start("p"));
            ctx.Process("p", ctx.Machine("m1", "site-a", "10.0.0.1"), Ticker([]));
        });

        result.AssertClean();
        var kills = result.Log.Entries.Where(e => e.Event is FaultAction.Kill).ToList();
        Assert.Contains(kills, e => e.Event is FaultAction.Kill { Process: "p", Origin: FaultOrigin.Scripted, Lasts: null });
        Assert.Contains(kills, e => e.Event is FaultAction.Kill { Origin: FaultOrigin.Drawn, Lasts: not null });
        Assert.All(kills, e => Assert.Equal("fault.kill", e.Kind));

        // A drawn kill is undone (restarted) when it Lasts, logged as the undo it is.
        var drawn = kills.First(e => e.Event is FaultAction.Kill { Origin: FaultOrigin.Drawn });
        var lasts = ((FaultAction)drawn.Event).Lasts!.Value;
        Assert.Contains(result.Log.Entries, e => e.Event is FaultAction.Start { Origin: FaultOrigin.Undo } && e.Time == drawn.Time + lasts);
        Assert.Contains(result.Log.Lines, l => l.Contains(" fault.kill p (scripted)", StringComparison.Ordinal));
    }

    [Fact]
    public void AStalledDiskCompletesFlushesOnlyWhenTheStallEnds()
    {
        var flushes = new List<(TimeSpan Started, TimeSpan Done)>();
        var stallAt = TimeSpan.FromSeconds(1);
        var stallFor = TimeSpan.FromSeconds(2);
        var result = TestWorld.Run("disk-stall", ctx =>
        {
            ctx.Horizon = TimeSpan.FromSeconds(5);
            ctx.At(stallAt, new FaultAction.StallDisk("p", stallFor));
            ctx.Process("p", ctx.Machine("m1", "site-a", "10.0.0.1"), async host =>
            {
                for (var i = 0; ; i++)
                {
                    await host.Clock.Delay(TimeSpan.FromMilliseconds(300));
                    host.Disk.Write("k", Encoding.UTF8.GetBytes($"v{i}"));
                    var started = host.Clock.Elapsed;
                    await host.Disk.FlushAsync();
                    flushes.Add((started, host.Clock.Elapsed));
                }
            });
        }, buggify: false);

        result.AssertClean();
        var latency = new WorldOptions().FlushLatency;
        foreach (var (started, done) in flushes)
        {
            var stalled = started >= stallAt && started < stallAt + stallFor;
            Assert.Equal(stalled ? stallAt + stallFor + latency : started + latency, done);
        }

        Assert.Contains(flushes, f => f.Started >= stallAt && f.Started < stallAt + stallFor);
        Assert.Contains(result.Log.Entries, e => e.Event is FaultAction.StallDisk { Process: "p" });
    }

    [Fact]
    public void ASlowProcessWakesLateWhileItIsSlowAndOnTimeAfter()
    {
        var ticks = new List<TimeSpan>();
        var slowAt = TimeSpan.FromSeconds(1);
        var by = TimeSpan.FromMilliseconds(100);
        var result = TestWorld.Run("slow", ctx =>
        {
            ctx.Horizon = TimeSpan.FromSeconds(4);
            ctx.At(slowAt, new FaultAction.SlowDown("p", by, TimeSpan.FromSeconds(1)));
            ctx.Process("p", ctx.Machine("m1", "site-a", "10.0.0.1"), Ticker(ticks));
        });

        result.AssertClean();
        var gaps = ticks.Zip(ticks.Skip(1), (a, b) => (At: b, Gap: b - a)).ToList();
        Assert.All(gaps.Where(g => g.At <= slowAt || g.At > slowAt + TimeSpan.FromSeconds(1.2)), g => Assert.Equal(Tick, g.Gap));
        Assert.Contains(gaps, g => g.Gap == Tick + by);
        Assert.All(gaps, g => Assert.True(g.Gap == Tick || g.Gap == Tick + by, $"a gap of {g.Gap}"));
    }

    [Fact]
    public void ATwoWayClogHoldsBothDirectionsAndAOneWayClogOnlyOne()
    {
        foreach (var oneWay in new[] { false, true })
        {
            var echoes = new List<TimeSpan>();
            var result = TestWorld.Run("clog", ctx =>
            {
                var (m1, m2) = NetworkFaultTests.TwoMachines(ctx);
                ctx.Horizon = TimeSpan.FromSeconds(3);
                ctx.At(TimeSpan.FromSeconds(1), new FaultAction.Clog("m2", "m1", TimeSpan.FromSeconds(1), oneWay));
                ctx.Process("server", m2, EchoServer);
                ctx.Process("client", m1, async host =>
                {
                    var conn = await host.Network.DialAsync("10.0.0.2", 9000);
                    await host.Clock.Delay(TimeSpan.FromSeconds(1.5) - host.Clock.Elapsed);
                    conn.Send(TestWorld.Frame(1));
                    await conn.ReceiveAsync();
                    echoes.Add(host.Clock.Elapsed);
                });
            }, buggify: false);

            result.AssertClean();

            // m1->m2 is clogged only both ways: the request waits for the clog to end, then the echo comes back at once.
            // One way (m2->m1 only), the request arrives and the echo is what waits.
            var echo = Assert.Single(echoes);
            Assert.InRange(echo, TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(2.1));
            Assert.Equal(oneWay ? 0 : 1, result.Events<LinkClogged>().Count(e => e.Event is { From: "m1", To: "m2" }));
            Assert.Equal(1, result.Events<LinkClogged>().Count(e => e.Event is { From: "m2", To: "m1" }));
        }
    }

    [Fact]
    public void ADnsChangeRedirectsNewDialsOnlyAndIsUndoneWhenItEnds()
    {
        var served = new List<(TimeSpan At, string By)>();
        var oldConnectionStillWorks = false;
        var result = TestWorld.Run("dns", ctx =>
        {
            ctx.Horizon = TimeSpan.FromSeconds(8);
            var m1 = ctx.Machine("m1", "site-a", "10.0.0.1");
            ctx.Process("blue", ctx.Machine("m2", "site-b", "10.0.0.2"), NameServer("blue"));
            ctx.Process("green", ctx.Machine("m3", "site-b", "10.0.0.3"), NameServer("green"));
            ctx.Name("svc.example", "10.0.0.2");
            ctx.At(TimeSpan.FromSeconds(2), new FaultAction.MoveName("svc.example", "10.0.0.3") { Lasts = TimeSpan.FromSeconds(2) });
            ctx.Process("client", m1, async host =>
            {
                var first = await host.Network.DialAsync("svc.example", 9000);
                await first.ReceiveAsync();
                for (var i = 0; i < 5; i++)
                {
                    await host.Clock.Delay(TimeSpan.FromSeconds(1));
                    using var conn = await host.Network.DialAsync("svc.example", 9000);
                    var by = Encoding.UTF8.GetString((await conn.ReceiveAsync())!.Value.Span);
                    served.Add((host.Clock.Elapsed, by));
                }

                // The connection made before the move still reaches the machine it reached then.
                first.Send(TestWorld.Frame(1));
                oldConnectionStillWorks = Encoding.UTF8.GetString((await first.ReceiveAsync())!.Value.Span) == "blue";
            }, killable: false);
        });

        result.AssertClean();
        Assert.Equal(["blue", "green", "green", "blue", "blue"], served.Select(s => s.By));
        Assert.True(oldConnectionStillWorks);
        Assert.Contains(result.Log.Entries, e => e.Event is FaultAction.MoveName { Name: "svc.example", Address: "10.0.0.2", Origin: FaultOrigin.Undo });
    }

    [Fact]
    public void AConfigRewriteIsSeenByTheProcessAndPutBackAtTheQuietPoint()
    {
        var seen = new List<string?>();
        var result = TestWorld.Run("config", ctx =>
        {
            ctx.Horizon = TimeSpan.FromSeconds(20);
            ctx.QuietAt = TimeSpan.FromSeconds(15);
            ctx.Faults(new FaultProfile { Name = "rewrites", Faults = [new ConfigRewriteFault { PerMinute = 20, Lasting = DurationRange.Seconds(20, 30) }] });
            ctx.ConfigFile("gateway", "routes.json", "the route table", (random, current) =>
                Encoding.UTF8.GetBytes($"{Encoding.UTF8.GetString(current ?? [])}+moved{random.Next(100)}"));
            ctx.Process("gateway", ctx.Machine("m1", "site-a", "10.0.0.1"), async host =>
            {
                if (host.Disk.Read("routes.json") is null)
                {
                    host.Disk.Write("routes.json", "table"u8);
                    await host.Disk.FlushAsync();
                }

                while (true)
                {
                    await host.Clock.Delay(TimeSpan.FromSeconds(1));
                    seen.Add(host.Disk.Read("routes.json") is { } bytes ? Encoding.UTF8.GetString(bytes) : null);
                }
            });
        });

        result.AssertClean();
        Assert.Contains(seen, s => s is not null && s.StartsWith("table+moved", StringComparison.Ordinal));
        Assert.Equal("table", seen[^1]);
        Assert.Contains(result.Log.Entries, e => e.Event is FaultAction.RewriteFile { Key: "routes.json", Origin: FaultOrigin.Quiet });
    }

    [Fact]
    public void TheQuietPointHealsWhatEveryKindLeft()
    {
        var profile = Everything(7);
        var result = TestWorld.Run("heal-everything", ctx =>
        {
            ctx.Horizon = TimeSpan.FromSeconds(20);
            ctx.QuietAt = TimeSpan.FromSeconds(15);
            ctx.Faults(profile);
            BuildMesh(ctx);
            ctx.Eventually("world-healed", () => Unhealed(ctx.World));
        });

        result.AssertClean();
        var drawn = result.Log.Entries.Where(e => e.Event is FaultAction { Origin: FaultOrigin.Drawn }).Select(e => e.Kind).ToHashSet();
        foreach (var kind in new[] { "kill", "stop", "pause", "slow", "clog", "tls-expire", "reset", "skew", "rotate-certificate", "disk-stall", "dns-change", "config-rewrite" })
        {
            Assert.Contains("fault." + kind, drawn);
        }

        Assert.Contains(result.Log.Entries, e => e.Event is FaultsQuiet);
        Assert.Contains(result.Log.Entries, e => e.Event is FaultAction { Origin: FaultOrigin.Quiet });
    }

    /// <summary>Every registered kind at a high rate (its swarm knobs drawn from <paramref name="seed"/>).</summary>
    internal static FaultProfile Everything(ulong seed) => new()
    {
        Name = "everything",
        Faults = [.. FaultKinds.All.Select(k => k.Swarm(Rng.Stream(seed, k.Name)) switch
        {
            FaultKind kind => kind with { PerMinute = 60 },
            var other => other,
        })],
    };


    /// <summary>What the quiet point should have put right and did not, or null.</summary>
    internal static string? Unhealed(World world)
    {
        var problems = new List<string>();
        problems.AddRange(world.Processes.Where(p => !p.IsUp || p.Paused || p.SlowUntil > world.Now).Select(p => $"{p.Name} down, paused or slow"));
        problems.AddRange(world.Network.Cuts.Select(c => $"{c.From}->{c.To} cut"));
        problems.AddRange(world.Machines.Where(m => m.ClockSkew != TimeSpan.Zero).Select(m => $"{m.Name} skewed"));
        problems.AddRange(world.Machines.SelectMany(m => m.Disks).Where(d => d.Value.StalledUntil is not null).Select(d => $"{d.Key}'s disk stalled"));
        problems.AddRange(world.Network.MovedNames.Keys.Select(n => $"{n} moved"));
        problems.AddRange(world.ConfigFiles.Rewritten.Keys.Select(f => $"{f.Key} rewritten"));
        if (world.Network.ClogCount > 0)
        {
            problems.Add("links clogged");
        }

        return problems.Count == 0 ? null : string.Join("; ", problems);
    }

    /// <summary>Three machines with named echo servers that write to disk, and a client that keeps dialing them over TLS.</summary>
    internal static void BuildMesh(ScenarioContext ctx)
    {
        var ca = ctx.Authority("ca");
        var trust = ca.Trust();
        for (var i = 1; i <= 3; i++)
        {
            var name = $"s{i}.example";
            var machine = ctx.Machine($"m{i}", $"site-{i}", $"10.0.0.{i}");
            ctx.Name(name, $"10.0.0.{i}");
            var cert = ctx.Certificate(name, ca, [name], TimeSpan.FromDays(30));
            ctx.ConfigFile($"s{i}", "conf", "settings", (random, _) => [(byte)random.Next(256)]);
            ctx.Process($"s{i}", machine, async host =>
            {
                using var listener = host.Network.Listen($"10.0.0.{host.Name[1..]}", 9000, new TlsServerOptions(() => cert.Current));
                while (true)
                {
                    var conn = await listener.AcceptAsync(host.Lifetime);
                    host.Disk.Write("seen", "1"u8);
                    await host.Disk.FlushAsync(host.Lifetime);
                    conn.Send(TestWorld.Frame(1));
                }
            });
        }

        ctx.Process("client", ctx.Machine("m0", "site-0", "10.0.0.10"), async host =>
        {
            for (var i = 0; ; i++)
            {
                await host.Clock.Delay(TimeSpan.FromMilliseconds(100));
                var name = $"s{1 + (i % 3)}.example";
                try
                {
                    using var conn = await host.Network.DialAsync(name, 9000, new TlsClientOptions(name, trust));
                    await conn.ReceiveAsync();
                }
                catch (NetworkException)
                {
                }
            }
        }, killable: false);
    }

    private static Func<IHost, Task> Ticker(List<TimeSpan> ticks) => async host =>
    {
        while (true)
        {
            await host.Clock.Delay(Tick);
            ticks.Add(host.Clock.Elapsed);
        }
    };

    private static async Task EchoServer(IHost host)
    {
        using var listener = host.Network.Listen("10.0.0.2", 9000);
        var conn = await listener.AcceptAsync();
        while (await conn.ReceiveAsync() is { } frame)
        {
            conn.Send(frame);
        }
    }

    /// <summary>Greets every connection with its name, then answers every frame with it.</summary>
    private static Func<IHost, Task> NameServer(string me) => async host =>
    {
        using var listener = host.Network.Listen("0.0.0.0", 9000);
        while (true)
        {
            var conn = await listener.AcceptAsync();
            conn.Send(Encoding.UTF8.GetBytes(me));
            host.Spawn("answer", async _ =>
            {
                while (await conn.ReceiveAsync() is not null)
                {
                    conn.Send(Encoding.UTF8.GetBytes(me));
                }
            });
        }
    };
}

/// <summary>The fault kinds under the Coyote engine (which runs alone: it takes over task scheduling while it explores).</summary>
[Collection(nameof(CoyoteCollection))]
public sealed class FaultKindCoyoteTests
{
    [Fact]
    public void EveryKindRunsUnderCoyoteAndTheQuietPointHealsIt()
    {
        var profile = FaultKindTests.Everything(3);
        var scenario = new InlineScenario("coyote-faults", ctx =>
        {
            ctx.Horizon = TimeSpan.FromSeconds(8);
            ctx.QuietAt = TimeSpan.FromSeconds(6);
            ctx.Faults(profile);
            FaultKindTests.BuildMesh(ctx);
            ctx.Eventually("world-healed", () => FaultKindTests.Unhealed(ctx.World));
        });

        var outcome = CoyoteEngine.Explore(scenario, new RunConfig(scenario.Name, 1, "random", DefectSet.None), new CoyoteOptions("random", 1));

        Assert.Null(outcome.TestbedError);
        Assert.False(outcome.IsBug, outcome.Violation?.ToString());
        var drawn = outcome.Log!.Entries.Where(e => e.Event is FaultAction { Origin: FaultOrigin.Drawn }).Select(e => e.Kind).Distinct().ToList();
        Assert.True(drawn.Count >= 8, $"only {string.Join(", ", drawn)} were drawn");
    }
}
