using Sim.Engine;
using Sim.Scenarios;
using Sim.Stack.Buggify;
using Sim.Stack.Defects;
using Sim.Stack.Register;
using Sim.Worlds;

namespace Sim.Tests;

/// <summary>BUGGIFY: FoundationDB's semantics, in the event log, replayed by the seed, and changing what the stack does.</summary>
public sealed class BuggifyTests
{
    [Fact]
    public void TheCatalogueNamesEverySiteOnceWithADescription()
    {
        Assert.Equal(BuggifyCatalogue.All.Count, BuggifyCatalogue.All.Select(s => s.Name).Distinct().Count());
        Assert.All(BuggifyCatalogue.All, s => Assert.False(string.IsNullOrWhiteSpace(s.Description) || string.IsNullOrWhiteSpace(s.Component), s.Name));
        Assert.All(BuggifyCatalogue.All, s => Assert.DoesNotContain(' ', s.Name));
    }

    [Fact]
    public void ASiteIsEnabledOncePerRunAndFiresOnlyWhileEnabledAndBeforeTheQuietPoint()
    {
        var enabledRuns = 0;
        var fires = 0;
        var reachesWhileEnabled = 0;
        for (ulong seed = 1; seed <= 200; seed++)
        {
            var reached = 0;
            var result = Probe(seed, () => reached++);
            var decisions = result.Log.Entries.Where(e => e.Event is BuggifySiteReached).ToList();
            var fired = result.Log.Entries.Where(e => e.Event is BuggifyFired).ToList();

            // Decided once, at the first reach; fires only when enabled; nothing from the quiet point on.
            var decision = Assert.Single(decisions);
            Assert.Equal(TimeSpan.FromSeconds(0.1), decision.Time);
            Assert.All(fired, f => Assert.True(f.Time < TimeSpan.FromSeconds(5), $"fired at {f.Time}, after the quiet point"));
            if (((BuggifySiteReached)decision.Event).Enabled)
            {
                enabledRuns++;
                reachesWhileEnabled += 49;
                fires += fired.Count;
            }
            else
            {
                Assert.Empty(fired);
            }

            Assert.Equal(100, reached);
        }

        // p = 0.25 to enable a site per run, then 0.25 per reach: 200 runs and ~2,450 reaches leave little slack.
        Assert.InRange(enabledRuns / 200.0, 0.17, 0.33);
        Assert.InRange(fires / (double)reachesWhileEnabled, 0.21, 0.29);
    }

    [Fact]
    public void TheSameSeedFiresTheSameSitesAndAnotherSeedOthers()
    {
        static List<string> Fired(ulong seed) =>
        [
            .. Simulation.Run(ScenarioCatalog.Find("register")!, new RunConfig("register", seed, "random", DefectSet.None))
                .Log.Entries.Where(e => e.Event is BuggifySiteReached or BuggifyFired).Select(e => $"{e.Step} {e.Time.Ticks} {e.Kind} {e.Subject} {e.Details}"),
        ];

        // The first seed of register whose run fires a site.
        var seed = 1UL;
        var first = Fired(seed);
        while (!first.Any(f => f.Contains(" buggify.fire ", StringComparison.Ordinal)))
        {
            first = Fired(++seed);
        }

        Assert.Equal(first, Fired(seed));
        Assert.NotEqual(first, Fired(seed + 1));
    }

    [Fact]
    public void WithBuggifyOffNoSiteIsReached()
    {
        var result = Simulation.Run(ScenarioCatalog.Find("register")!, new RunConfig("register", 4, "random", DefectSet.None, Buggify: false));

        Assert.DoesNotContain(result.Log.Entries, e => e.Event is BuggifySiteReached or BuggifyFired);
        Assert.Contains(result.Log.Lines, l => l.Contains(" fault.plan register-chaos buggify=off ", StringComparison.Ordinal));
    }

    [Fact]
    public void AFlushThatReturnsLateIsSlowerOnlyWhenItsSiteFires()
    {
        // The first seed whose run enables the site: its flushes that fire return late, the others on time.
        for (ulong seed = 1; ; seed++)
        {
            var (on, onDurations) = Flushes(seed, buggify: true);
            var fired = on.Log.Entries.Where(e => e.Event is BuggifyFired { Site: BuggifyCatalogue.FlushReturnsLate }).ToList();
            if (fired.Count == 0)
            {
                continue;
            }

            var latency = new WorldOptions().FlushLatency;
            Assert.Equal(fired.Count, onDurations.Count(d => d > latency));
            Assert.All(onDurations, d => Assert.InRange(d, latency, latency * 51));

            var (_, offDurations) = Flushes(seed, buggify: false);
            Assert.All(offDurations, d => Assert.Equal(latency, d));
            return;
        }
    }

    [Fact]
    public void AServerThatClosesAfterAReplyMakesTheClientRedialAndEveryCallStillSucceeds()
    {
        // A gRPC client calling a server in a loop: when the site fires, the server closes the connection after
        // its reply, and the channel dials again for the next call.
        for (ulong seed = 1; ; seed++)
        {
            var (result, failures) = Calls(seed, buggify: true);
            var closes = result.Log.Entries.Count(e => e.Event is BuggifyFired { Site: BuggifyCatalogue.ServerClosesConnectionAfterReply });
            if (closes == 0)
            {
                continue;
            }

            result.AssertClean();
            Assert.Equal(0, failures);

            // One dial to start with and one after each close, unless the last close came after the last call.
            Assert.InRange(result.Events<Connected>().Count, closes, closes + 1);

            var (off, _) = Calls(seed, buggify: false);
            Assert.Single(off.Events<Connected>());
            return;
        }
    }

    [Fact]
    public void ASiteMissingFromTheCatalogueFailsTheRunSayingSo()
    {
        var result = TestWorld.Run("uncatalogued", ctx =>
            ctx.Process("p", ctx.Machine("m1", "site-a", "10.0.0.1"), host =>
            {
                host.Buggify("nosuch.site");
                return Task.CompletedTask;
            }));

        Assert.Contains(result.Log.Lines, l => l.Contains("process.crashed p ArgumentException: BUGGIFY site 'nosuch.site' is not in the catalogue", StringComparison.Ordinal));
    }

    /// <summary>One process reaching a catalogued site every 0.1 s for 10 s, with the quiet point at 5 s.</summary>
    private static RunResult Probe(ulong seed, Action reached) => TestWorld.Run("probe", ctx =>
    {
        ctx.Horizon = TimeSpan.FromSeconds(10);
        ctx.QuietAt = TimeSpan.FromSeconds(5);
        ctx.Process("p", ctx.Machine("m1", "site-a", "10.0.0.1"), async host =>
        {
            while (true)
            {
                await host.Clock.Delay(TimeSpan.FromSeconds(0.1));
                host.Buggify(BuggifyCatalogue.PingFiresEarly);
                reached();
            }
        });
    }, seed);

    private static (RunResult Result, List<TimeSpan> Durations) Flushes(ulong seed, bool buggify)
    {
        var durations = new List<TimeSpan>();
        var result = TestWorld.Run("flushes", ctx =>
        {
            ctx.Horizon = TimeSpan.FromSeconds(10);
            ctx.Process("p", ctx.Machine("m1", "site-a", "10.0.0.1"), async host =>
            {
                for (var i = 0; ; i++)
                {
                    await host.Clock.Delay(TimeSpan.FromMilliseconds(200));
                    host.Disk.Write("k", BitConverter.GetBytes(i));
                    var started = host.Clock.Elapsed;
                    await host.Disk.FlushAsync();
                    durations.Add(host.Clock.Elapsed - started);
                }
            });
        }, seed, buggify: buggify);
        return (result, durations);
    }

    private static (RunResult Result, int Failures) Calls(ulong seed, bool buggify)
    {
        var failures = 0;
        var result = TestWorld.Run("calls", ctx =>
        {
            var (m1, m2) = NetworkFaultTests.TwoMachines(ctx);
            ctx.Horizon = TimeSpan.FromSeconds(10);
            ctx.Process("server", m2, host => RegisterReplica.RunAsync(host, new RegisterOptions(
                IsPrimary: true, ListenAddress: "10.0.0.2", Port: 7000, ServerTls: null, BackupHost: null, BackupTls: null,
                Defects: DefectSet.None, ReplicationTimeout: TimeSpan.FromMilliseconds(500), BackgroundFlushInterval: TimeSpan.FromMilliseconds(500))));
            ctx.Process("client", m1, async host =>
            {
                var client = new RegisterClient(host, "10.0.0.2", "10.0.0.2", 7000, _ => null, TimeSpan.FromSeconds(1));
                for (var i = 0; ; i++)
                {
                    await host.Clock.Delay(TimeSpan.FromMilliseconds(200));
                    try
                    {
                        await client.WriteAsync("k", $"v{i}");
                    }
                    catch (Grpc.Core.RpcException)
                    {
                        failures++;
                    }
                }
            }, killable: false);
        }, seed, buggify: buggify);
        return (result, failures);
    }
}
