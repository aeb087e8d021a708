using Sim.Engine;
using Sim.Engine.Coyote;
using Sim.Scenarios;
using Sim.Stack.Defects;
using Sim.Stack.Host;
using Sim.Testing;
using Sim.Worlds;

namespace Sim.Tests;

/// <summary>The scenario kit: services and clients in one call, live handles, scripts and typed subscriptions.</summary>
public sealed class KitTests
{
    [Fact]
    public void ATlsServiceIsOneCallReachableByItsNameAndItsCertificateRotates()
    {
        var seen = new List<PeerCertificate?>();
        Live<Task>? echo = null;
        Live<Task>? probe = null;
        var result = TestWorld.Run("kit-tls", ctx =>
        {
            ctx.Horizon = TimeSpan.FromSeconds(4);
            echo = ctx.Service("echo", "site-a", 9000, (host, me) => ServeAsync(host, me, _ => { }));
            probe = ctx.Client("probe", "site-b", async (host, _) =>
            {
                foreach (var at in new[] { 1.0, 3.0 })
                {
                    await host.Clock.Delay(TimeSpan.FromSeconds(at) - host.Clock.Elapsed);
                    using var conn = await host.Network.DialAsync(echo.DnsName, echo.Port, echo.ClientTls);
                    seen.Add(conn.PeerCertificate);
                }
            });
            ctx.At(TimeSpan.FromSeconds(2), new FaultAction.RotateCertificate("echo"));
        });

        result.AssertClean();
        Assert.Equal(("echo.site-a", "10.1.0.1", "m-echo", "site-a"), (echo!.DnsName, echo.Address, echo.Machine.Name, echo.Machine.Site));
        Assert.Equal(("probe.site-b", "10.2.0.1", 0), (probe!.DnsName, probe.Address, probe.Port));
        Assert.Equal([("echo", "site-a-ca", 1L), ("echo", "site-a-ca", 2L)], seen.Select(c => (c!.Subject, c.Issuer, c.Serial)));
        Assert.Equal(["echo.site-a"], seen[0]!.DnsNames);
        Assert.Equal("echo", Assert.Single(result.Events<CertificateRotated>()).Subject);
    }

    [Fact]
    public void AMutualTlsServiceAdmitsOnlyClientsPresentingTheirOwnCertificate()
    {
        var serverSaw = new List<string?>();
        Exception? anonymous = null;
        var result = TestWorld.Run("kit-mtls", ctx =>
        {
            ctx.Horizon = TimeSpan.FromSeconds(2);
            var vault = ctx.Service("vault", "bank", 443, (host, me) => ServeAsync(host, me, c => serverSaw.Add(c.PeerCertificate?.Subject)), new ServiceOptions { MutualTls = true });
            ctx.Client("teller", "branch", async (host, me) =>
            {
                await host.Clock.Delay(TimeSpan.FromSeconds(0.5));
                using var conn = await host.Network.DialAsync(vault.DnsName, vault.Port, me.TlsTo(vault));
            });
            ctx.Client("stranger", "street", async (host, _) =>
            {
                await host.Clock.Delay(TimeSpan.FromSeconds(0.5));
                anonymous = await Record.ExceptionAsync(() => host.Network.DialAsync(vault.DnsName, vault.Port, vault.ClientTls));
            });
        });

        result.AssertClean();
        Assert.Equal(["teller"], serverSaw);
        Assert.Equal(TlsFailure.ClientCertificateRequired, Assert.IsType<TlsHandshakeException>(anonymous).Failure);
    }

    [Fact]
    public void ReplicasAreSpreadRoundRobinOverTheirSitesWithAnAddressBlockPerSite()
    {
        IReadOnlyList<Live<Task>> replicas = [];
        Live<Task>? sidecar = null;
        TestWorld.Run("kit-replicas", ctx =>
        {
            ctx.Horizon = TimeSpan.FromSeconds(1);
            replicas = ctx.Services("r", ["east", "west"], 3, 7000, (host, me) => ServeAsync(host, me, _ => { }));
            sidecar = ctx.Service("sidecar", "east", 7001, (host, me) => ServeAsync(host, me, _ => { }), new ServiceOptions { On = replicas[0].Machine, DnsName = "metrics.east" });
        }).AssertClean();

        Assert.Equal(("m-r0", "10.1.0.1", "metrics.east"), (sidecar!.Machine.Name, sidecar.Address, sidecar.DnsName));

        Assert.Equal(
            [("r0", 0, "east", "10.1.0.1", "r0.east"), ("r1", 1, "west", "10.2.0.1", "r1.west"), ("r2", 2, "east", "10.1.0.2", "r2.east")],
            replicas.Select(r => (r.Name, r.Index, r.Site.Name, r.Address, r.DnsName)));
        Assert.All(replicas, r => Assert.Equal(1, r.Incarnation));
    }

    [Fact]
    public void LiveFollowsRestartsToTheRunningIncarnationsInstance()
    {
        var samples = new List<(double At, int? Incarnation)>();
        Live<Counter>? counter = null;
        var result = TestWorld.Run("kit-live", ctx =>
        {
            ctx.Horizon = TimeSpan.FromSeconds(3);
            counter = ctx.Service("counter", "site-a", 0, (host, _) => new Counter(host.Incarnation));
            ctx.At(TimeSpan.FromSeconds(1), new FaultAction.Kill("counter"));
            ctx.At(TimeSpan.FromSeconds(2), new FaultAction.Start("counter"));
            ctx.Script(async w =>
            {
                foreach (var at in new[] { 0.5, 1.5, 2.5 })
                {
                    await w.At(TimeSpan.FromSeconds(at));
                    samples.Add((at, counter.Current?.Incarnation));
                }
            });
        });

        result.AssertClean();
        Assert.Equal([(0.5, 1), (1.5, null), (2.5, 2)], samples);
        Assert.Equal([1, 2], counter!.Incarnations.Select(c => c.Incarnation));
        Assert.Equal(2, counter.Last!.Incarnation);
    }

    [Fact]
    public void AScriptWaitsForATypedEventThenKillsThatProcessDeterministically()
    {
        var first = Simulation.Run(Workers(), new RunConfig("kit-script", 7, "random", DefectSet.None));
        var second = Simulation.Run(Workers(), new RunConfig("kit-script", 7, "random", DefectSet.None));

        first.AssertClean();
        Assert.Equal(first.Hash, second.Hash);
        var fifth = Assert.Single(first.Events<WorkDone>(), e => e.Subject == "worker1" && e.Event.Count == 5);
        var scripted = Assert.Single(first.Events<FaultAction.Kill>());
        var kill = Assert.Single(first.Events<ProcessKilled>());
        Assert.Equal(new FaultAction.Kill("worker1") { Origin = FaultOrigin.Scripted }, scripted.Event);
        Assert.Equal("worker1", kill.Subject);
        Assert.True(fifth.Step < scripted.Step && scripted.Step <= kill.Step, $"event at step {fifth.Step}, script at {scripted.Step}, kill at {kill.Step}");
        Assert.Equal(fifth.Time, kill.Time);
        Assert.DoesNotContain(first.Events<WorkDone>(), e => e.Subject == "worker1" && e.Event.Count > 5);
        Assert.Contains(first.Events<WorkDone>(), e => e.Subject == "worker0" && e.Event.Count > 5);
    }

    [Fact]
    public void AWaitThatTimesOutReturnsNothingAndFaultsAfterTheQuietPointAreSkipped()
    {
        var outcomes = new List<string>();
        var result = TestWorld.Run("kit-quiet", ctx =>
        {
            ctx.Horizon = TimeSpan.FromSeconds(8);
            ctx.QuietAt = TimeSpan.FromSeconds(4);
            var worker = ctx.Service("worker0", "site-a", 0, (host, _) => WorkAsync(host));
            ctx.Script(async w =>
            {
                outcomes.Add($"{await w.Until<WorkDone>(e => e.Count > 1000, TimeSpan.FromSeconds(1))}");
                outcomes.Add($"{await w.Until(() => w.Now > TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(5))} at {w.Now.TotalSeconds}");
                await w.At(TimeSpan.FromSeconds(5));
                w.Kill(worker);
            });
        });

        result.AssertClean();
        Assert.Equal(["", "True at 2"], outcomes.Select(o => o.Split('.')[0]));
        Assert.IsType<FaultAction.Kill>(Assert.Single(result.Events<FaultSkipped>()).Event.Action);
        Assert.Empty(result.Events<ProcessKilled>());
    }

    [Fact]
    public void SubscribersGetEveryEventOfTheirTypeOrABaseTypeInLogOrder()
    {
        var links = new List<string>();
        var all = new List<LoggedEvent>();
        var result = TestWorld.Run("kit-on", ctx =>
        {
            ctx.Horizon = TimeSpan.FromSeconds(3);
            ctx.On<SimEvent>((_, at) => all.Add(at));
            ctx.On<LinkEvent>((e, at) => links.Add($"{at.Time.TotalSeconds} {e.Kind} {e.From}->{e.To}"));
            var a = ctx.Service("a", "site-a", 0, (host, _) => WorkAsync(host));
            var b = ctx.Service("b", "site-b", 0, (host, _) => WorkAsync(host));
            ctx.Script(async w =>
            {
                await w.At(TimeSpan.FromSeconds(1));
                w.Partition(a, b, oneWay: true);
                await w.Delay(TimeSpan.FromSeconds(1));
                w.Heal();
            });
        });

        result.AssertClean();
        Assert.Equal(["1 net.cut m-a->m-b", "2 net.heal m-a->m-b"], links);
        Assert.Equal(result.Log.Entries.Skip(1), all); // all but run.start, logged before the scenario subscribed
    }

    [Fact]
    public void EveryDefectIsClaimedByAScenarioAndEveryClaimIsACatalogueDefect()
    {
        Assert.All(DefectCatalogue.All, d => Assert.NotEmpty(ScenarioCatalog.Claiming(d.Name)));
        Assert.All(ScenarioCatalog.All, s => Assert.Equal(s.Claims, s.Defects.Select(d => d.Name)));
        Assert.Null(ScenarioCatalog.WhyNotPlantable(DefectCatalogue.AckBeforeFlush, ScenarioCatalog.Find("register")!));
        Assert.Equal("'ack-before-flush' belongs to scenario 'register', not 'heartbeat'", ScenarioCatalog.WhyNotPlantable(DefectCatalogue.AckBeforeFlush, ScenarioCatalog.Find("heartbeat")!));
    }

    [Fact]
    public void TheReadmesWorkedExampleIsTheHeartbeatScenariosOwnBuild()
    {
        var root = new DirectoryInfo(AppContext.BaseDirectory);
        while (!File.Exists(Path.Combine(root.FullName, "Sim.sln")))
        {
            root = root.Parent ?? throw new InvalidOperationException("the repository root (Sim.sln) is not above the test assembly");
        }

        var readme = File.ReadAllText(Path.Combine(root.FullName, "README.md"));
        var start = readme.IndexOf("public override void Build(ScenarioContext context)", StringComparison.Ordinal);
        Assert.True(start >= 0, "README.md shows no Build method");
        var example = readme[start..readme.IndexOf("```", start, StringComparison.Ordinal)].TrimEnd();
        var source = File.ReadAllText(Path.Combine(root.FullName, "scenarios", "Heartbeat", "HeartbeatScenario.cs"));
        var indented = string.Join('\n', example.Split('\n').Select(l => l.Length == 0 ? l : "    " + l));
        Assert.Contains(indented, source, StringComparison.Ordinal);
    }

    /// <summary>Two workers reporting their work; a script kills worker1 as soon as it reports its fifth piece.</summary>
    internal static InlineScenario Workers(Action<ScenarioContext>? more = null) => new("kit-script", ctx =>
    {
        ctx.Horizon = TimeSpan.FromSeconds(3);
        ctx.QuietAt = TimeSpan.FromSeconds(5); // past the horizon: nothing heals (restarts) the worker killed
        ctx.Services("worker", ["site-a", "site-b"], 2, 0, (host, _) => WorkAsync(host));
        ctx.Script(async w =>
        {
            await w.Until<WorkDone>((e, at) => at.Subject == "worker1" && e.Count == 5);
            w.Kill("worker1");
        });
        more?.Invoke(ctx);
    });

    /// <summary>Reports a piece of work every 50–150 ms (jittered by the process's own stream).</summary>
    private static async Task WorkAsync(IHost host)
    {
        for (var count = 1; ; count++)
        {
            await host.Clock.Delay(TimeSpan.FromMilliseconds(50 + (100 * host.Random.NextDouble())), host.Lifetime);
            host.Log.Event(new WorkDone(count));
        }
    }

    private static async Task ServeAsync(IHost host, Live me, Action<IConnection> accepted)
    {
        using var listener = host.Network.Listen(me.Address, me.Port, me.ServerTls);
        while (true)
        {
            accepted(await listener.AcceptAsync(host.Lifetime));
        }
    }

    private sealed class Counter(int incarnation)
    {
        public int Incarnation { get; } = incarnation;
    }
}

/// <summary>A worker finished its <paramref name="Count"/>th piece of work.</summary>
internal sealed record WorkDone(int Count) : SimEvent
{
    public override string Kind => "kit.work-done";
}

/// <summary>The kit under Coyote (one exploration at a time, as every Coyote test).</summary>
[Collection(nameof(CoyoteCollection))]
public sealed class KitCoyoteTests
{
    [Fact]
    public void AScriptedKillRunsUnderCoyoteAndItsTraceReplays()
    {
        // The kill the script makes is what the invariant forbids: Coyote finds it at once, and its trace replays.
        var scenario = KitTests.Workers(ctx => ctx.On<ProcessKilled>((_, at) => ctx.Fail("nobody-is-killed", $"{at.Subject} was killed at {at.Time.TotalSeconds:F6}s")));
        var config = new RunConfig(scenario.Name, 3, "random", DefectSet.None);
        var options = new CoyoteOptions("random", 2);

        var found = CoyoteEngine.Explore(scenario, config, options);
        Assert.True(found.Violation?.Invariant == "nobody-is-killed", found.Summary());
        Assert.StartsWith("worker1 was killed", found.Violation!.Message, StringComparison.Ordinal);

        var replay = CoyoteEngine.Replay(scenario, config, options, found.ReproducibleTrace!);
        Assert.Equal(found.Violation.Message, replay.Violation?.Message);
        Assert.Equal(found.Hash, replay.Hash);
    }
}
