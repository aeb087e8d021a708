using System.Text;
using Bogus;
using Sim.Stack.Defects;
using Sim.Stack.Gateway;
using Sim.Stack.Host;
using Sim.Worlds;

namespace Sim.Scenarios.Gateway;

/// <summary>
/// Site gateways with route tables (FATE OSX, SCENARIOS.md section 3): parties 9999, 10000 and 10001 and an exchange
/// site. 9999 and 10000 route to each other directly (the direct table shape), 10001 sends everything through an
/// exchange (the exchange shape); 10001 joins the exchanges while the run goes, 9999's table moves 10001 to a direct
/// route and its exchange to a second one and back, 10000's moves its job service. Applications of every party call
/// other parties' job services and produce ordered messages to their topics (Bogus payloads and ids); consumers take
/// and acknowledge them. Faults: gateway kills and restarts (queues survive on disk), partitions, clogs, TLS session
/// expiry and certificate rotation, route-table rewrites on disk while traffic flows (good and broken ones), an
/// operator's pushes at the edges of validity, an intruder's pushes and calls, a hostile party, an expired certificate, an
/// impostor, and crashes at the worst moments (right after a message is announced durable, with a typo in the route
/// table file, right after a forwarded call ran).
/// Invariants, by class:
/// <list type="bullet">
/// <item>Accounting: every request ends exactly once with a clear status, from the side that asked, and a "no route"
/// names the party and component asked for, and a refusal's log names the request's source, target and method
/// (<see cref="AccountingChecker"/>); every acknowledged message is processed once, in its producer's order, with the
/// body its producer wrote, and every consume and ack is answered as the protocol says (<see cref="ConsumptionChecker"/>).</item>
/// <item>Eligibility: routes use the table live at that moment (<see cref="RoutingModel"/>); a party is admitted
/// exactly while its token bucket holds a token (<see cref="RateModel"/>); a message is not redelivered inside its
/// visibility timeout nor after its acknowledgement (<see cref="QueueModel"/>) — all judged on the models' own clocks;
/// a forward is retried only after a failure the next hop did not decide, at most 3 tries, 100 ms apart
/// (<see cref="RetryChecker"/>); a request is routed only once admitted, and a rate refusal names party, rate, burst and
/// gateway (<see cref="RateModel"/>); a party the live table permits is never refused for permission
/// (<see cref="RoutingModel"/>); a restarted gateway serves its file's table, or its last one when the file is broken,
/// and every table names where it came from (<see cref="TableLoadChecker"/>).</item>
/// <item>Uniqueness: a component runs a request id once despite retries (<see cref="DeliveryChecker"/>); a message id
/// is stored at one offset and an offset holds one message (<see cref="QueueModel"/>); table versions only grow
/// (<see cref="RoutingModel"/>); a request id is sent once (<see cref="AccountingChecker"/>).</item>
/// <item>Security probes, both directions (<see cref="ProbeChecker"/>, <see cref="TableFileChecker"/>): a hostile
/// party's forged source, permitted and denied calls (both sides of an allow rule), someone else's topic, hop counts
/// 1, 2 and 3, every header and payload past the protocol's edges, messages with and without their own id, a route
/// back at the gateway itself, acks of an unknown offset and of an acknowledged one, rate-limit bursts; a certificate
/// before and after expiry; a certificate that speaks for no party; an impostor behind a
/// hostname mismatch (<see cref="DeliveryChecker"/>); hostile admins: an intruder's pushes, ports 0, 1, 65535 and 65536,
/// the five broken tables (pushed and written to disk) and 29 more malformed ones, one per way route_table.json can be
/// wrong (<see cref="MalformedTables"/>), each refused with its exact JSON-path error while the old table serves; a
/// valid table in an unusual spelling (comments, trailing commas, timestamps, explicit grpc, https) is taken.</item>
/// <item>Resources: at the horizon a gateway holds at most its pool's connections per peer, no calls but its
/// consumer's, no stray timers or loops, and no ledger entries of calls answered longer ago than the retention
/// (<see cref="ResourceChecker"/>).</item>
/// <item>Model-based: routing decisions against a reference model of every table version (<see cref="RoutingModel"/>),
/// queues against a reference queue (<see cref="QueueModel"/>), rate decisions against a reference bucket
/// (<see cref="RateModel"/>).</item>
/// <item>Safety of delivery: a request for party P reaches only P's component; a request for the gateway's own party
/// never leaves its site; at most two gateway hops, each counted in the headers (<see cref="DeliveryChecker"/>).
/// Liveness: every request ends, every acknowledged message is processed, messages reach every party, a broken file is
/// refused within 2.5 s, and every gateway serves its file's table within the settling bound.</item>
/// </list>
/// </summary>
public sealed class GatewayRoutingScenario(TimeSpan? horizon = null) : Scenario
{
    public const string RouteTableKey = "conf/broker/route_table.json";
    public const int Rate = 20;
    public const int Burst = 20;
    public const int PoolSize = 2;

    /// <summary>How long a TLS session with a gateway lives before it must be renegotiated.</summary>
    public static readonly TimeSpan SessionLifetime = TimeSpan.FromSeconds(3);

    /// <summary>Applications stop this long before the horizon; everything must settle within it.</summary>
    public static readonly TimeSpan Settle = TimeSpan.FromSeconds(6);

    /// <summary>How long a consumed message stays invisible (the gateways' visibility timeout).</summary>
    public static readonly TimeSpan Visibility = TimeSpan.FromSeconds(2);

    /// <summary>Certificate names allowed to replace a gateway's route table.</summary>
    public static readonly IReadOnlyCollection<string> Admins = ["ops"];

    /// <summary>Longest a CONSUME_MSG waits at a gateway for a message (the gateways' long poll).</summary>
    public static readonly TimeSpan ConsumeWait = TimeSpan.FromSeconds(1);

    /// <summary>How long a gateway remembers the ids of the calls it delivered: longer than a request's deadline (4 s), so a retry never runs twice.</summary>
    public static readonly TimeSpan DedupeRetention = TimeSpan.FromSeconds(6);

    /// <summary>When the expired peer's certificate expires.</summary>
    public static readonly TimeSpan PeerCertificate = TimeSpan.FromSeconds(5);

    public override string Name => "gateway-routing";

    public override string Description => "three parties' site gateways and an exchange (FATE OSX route tables, both shapes): hot reloads, queues, hostile parties and admins";

    public override IReadOnlyList<string> Claims => [DefectCatalogue.SelfRouteViaDefault, DefectCatalogue.TornRouteReload];

    /// <summary>Tries per forward and the pause between them, as upstream OSX has them (SCENARIOS.md section 3).</summary>
    public const int ForwardTries = 3;

    public static readonly TimeSpan RetryDelay = TimeSpan.FromMilliseconds(100);

    /// <summary>The scenario's own fault profile.</summary>
    public static FaultProfile Profile { get; } = new()
    {
        Name = "gateway-chaos",
        Network = new NetworkOptions { DropProbability = 0.005, ReorderProbability = 0.01 },
        Faults =
        [
            new KillFault { PerMinute = 3, RestartAfter = DurationRange.Seconds(0.5, 2) },
            new PartitionFault { PerMinute = 3, Lasting = DurationRange.Seconds(0.5, 2) },
            new ClogFault { PerMinute = 4, OneWay = true, Lasting = DurationRange.Seconds(0.1, 1) },
            new TlsExpiryFault { PerMinute = 3 },
            new CertificateRotationFault { PerMinute = 2 },
            new ConfigRewriteFault { PerMinute = 6, Lasting = DurationRange.Seconds(1, 4) },
        ],
    };

    public override void Build(ScenarioContext context)
    {
        context.Horizon = horizon ?? TimeSpan.FromSeconds(20);
        context.QuietAt = context.Horizon * 0.7;
        context.Faults(Profile);

        var topology = new GatewayTopology();
        var tables = new RouteTables(topology);
        foreach (var party in GatewayTopology.Parties)
        {
            context.Site(GatewayTopology.SiteOf(party));
        }

        PlaceServices(context, topology);
        var others = PlaceClients(context, topology, tables);
        SeedTables(context, topology, tables);
        Incidents(context, topology, tables);

        // The delivery checker first: a request that leaves its site is named as such before the model judges the route.
        _ = new DeliveryChecker(context, topology);
        var routing = new RoutingModel(context, topology);
        _ = new QueueModel(context, Visibility);
        _ = new RateModel(context, Rate, Burst);
        _ = new RetryChecker(context, ForwardTries, RetryDelay);
        _ = new ConsumptionChecker(context, Settle, ConsumeWait, new FaultHistory(context));
        _ = new AccountingChecker(context, Settle);
        _ = new ProbeChecker(context);
        _ = new TableFileChecker(context, topology, tables, routing, RouteTableKey);
        _ = new TableLoadChecker(context, topology, tables, RouteTableKey, Admins, TimeSpan.FromSeconds(2.5));
        _ = new ResourceChecker(context, topology, PoolSize, DedupeRetention);
        _ = new GatewayAccount(context, topology, others);
    }

    /// <summary>Gateways (mTLS, sessions renegotiated every few seconds), exchanges, job services and the impostor.</summary>
    private static void PlaceServices(ScenarioContext context, GatewayTopology topology)
    {
        var gateway = new ServiceOptions { MutualTls = true, SessionLifetime = SessionLifetime };
        foreach (var party in GatewayTopology.Parties)
        {
            var site = GatewayTopology.SiteOf(party);
            topology.Gateways[party] = context.Service($"gw{party}", site, GatewayTopology.GatewayPort, (host, me) => SiteGateway.Start(host, Options(context, topology, party, me)), gateway);
            topology.Jobs[party] = context.Service($"jobs{party}", site, GatewayTopology.ComponentPort, (host, me) => JobService.Start(host, party, me.Address, GatewayTopology.ComponentPort, null));
        }

        topology.SpareJobs = context.Service("jobs10000b", GatewayTopology.SiteOf("10000"), GatewayTopology.ComponentPort, (host, me) => JobService.Start(host, "10000", me.Address, GatewayTopology.ComponentPort, null));
        topology.ExchangeA = context.Service("exchange-a", "exchange", GatewayTopology.GatewayPort, (host, me) => SiteGateway.Start(host, Options(context, topology, RouteTable.Default, me)), gateway);
        topology.ExchangeB = context.Service("exchange-b", "exchange", GatewayTopology.GatewayPort, (host, me) => SiteGateway.Start(host, Options(context, topology, RouteTable.Default, me)), gateway);
        topology.Impostor = context.Service("impostor", GatewayTopology.SiteOf("10001"), GatewayTopology.GatewayPort, (host, me) => SiteGateway.Start(host, Options(context, topology, "20000", me)), gateway);
        foreach (var g in topology.AllGateways)
        {
            topology.Speakers[g.Name] = topology.PartyOf(g.Name)!;
        }
    }

    /// <summary>Applications and consumers of every party, the hostile party, the expired peer, the operator and the intruder.</summary>
    private static List<(string Name, Func<object?> Last)> PlaceClients(ScenarioContext context, GatewayTopology topology, RouteTables tables)
    {
        var others = new List<(string, Func<object?>)>();
        var until = context.Horizon - Settle;
        foreach (var party in GatewayTopology.Parties)
        {
            var site = GatewayTopology.SiteOf(party);
            var gw = topology.Gateways[party];
            var faker = new Faker { Random = new Randomizer((int)context.Workload.NextUInt64()) };
            var app = context.Client($"app{party}", site, (host, me) => PartyApp.Start(host, new GatewayClient(host, gw.DnsName, GatewayTopology.GatewayPort, me.TlsTo(gw), party), faker, until));
            var consumer = context.Client($"consumer{party}", site, (host, me) => TopicConsumer.Start(host, new GatewayClient(host, gw.DnsName, GatewayTopology.GatewayPort, me.TlsTo(gw), party), gw.Name, ConsumeWait, raw: party == "10001"));
            others.Add((app.Name, () => app.Last));
            others.Add((consumer.Name, () => consumer.Last));
            topology.Speakers[app.Name] = topology.Speakers[consumer.Name] = party;
        }

        var end = context.Horizon - TimeSpan.FromSeconds(1);
        var victim = topology.Gateways["9999"];
        var rogue = context.Client("rogue10001", GatewayTopology.SiteOf("10001"), (host, me) =>
            HostileParty.Start(host, me, victim, topology.ExchangeA!, topology.Gateways["10000"], end, [context.Horizon * 0.3, context.Horizon * 0.6], Burst));
        var refusedFrom = PeerCertificate + SessionLifetime + TimeSpan.FromSeconds(1) > context.EffectiveQuietAt ? PeerCertificate + SessionLifetime + TimeSpan.FromSeconds(1) : context.EffectiveQuietAt + TimeSpan.FromSeconds(0.5);
        var expired = context.Client("stale10001", GatewayTopology.SiteOf("10001"), (host, me) => ExpiredPeer.Start(host, me, victim, PeerCertificate, refusedFrom, end),
            new ServiceOptions { CertificateValidity = PeerCertificate });
        var ops = context.Client("ops", "exchange", (host, me) => AdminProbe.Operator(host, me, topology, tables, TimeSpan.FromSeconds(3), [TimeSpan.FromSeconds(5), context.EffectiveQuietAt + TimeSpan.FromSeconds(0.5)]));
        var intruder = context.Client("intruder", GatewayTopology.SiteOf("10000"), (host, me) => AdminProbe.Intruder(host, me, victim, tables, end));
        topology.Speakers[rogue.Name] = topology.Speakers[expired.Name] = "10001";
        others.AddRange([(rogue.Name, () => rogue.Last), (ops.Name, () => ops.Last), (intruder.Name, () => intruder.Last)]);
        return others;
    }

    /// <summary>Every gateway's route_table.json on its disk before it starts; the party gateways' files are the config-rewrite fault's to change.</summary>
    private static void SeedTables(ScenarioContext context, GatewayTopology topology, RouteTables tables)
    {
        foreach (var (party, gateway) in topology.Gateways)
        {
            Seed(gateway, RouteTableKey, tables.For(party, false));
            context.ConfigFile(gateway.Name, RouteTableKey, $"party {party}'s route table", (rng, current) => tables.Rewrite(party, rng, current));
        }

        Seed(topology.ExchangeA!, RouteTableKey, tables.Exchange(joined: false));
        Seed(topology.ExchangeB!, RouteTableKey, tables.Exchange(joined: false));
    }

    /// <summary>The scripted incidents: 9999's table moved while traffic flows and back, a gateway crash, a certificate rotation, a partition.</summary>
    private static void Incidents(ScenarioContext context, GatewayTopology topology, RouteTables tables)
    {
        var gw9999 = topology.Gateways["9999"];
        context.Script(async w =>
        {
            await w.At(context.Horizon * 0.2);
            w.Do(new FaultAction.RewriteFile(gw9999.Name, RouteTableKey, Encoding.UTF8.GetBytes(tables.For("9999", true))));
            await w.At(context.Horizon * 0.4);
            w.Do(new FaultAction.RewriteFile(gw9999.Name, RouteTableKey, Encoding.UTF8.GetBytes(tables.For("9999", false))));
            await w.At(context.Horizon * 0.45);
            w.Kill(topology.Gateways["10000"]);
            await w.Delay(TimeSpan.FromSeconds(1));
            w.Start(topology.Gateways["10000"]);
            await w.At(context.Horizon * 0.55);
            w.Do(new FaultAction.Partition([gw9999.Machine.Name], [topology.ExchangeA!.Machine.Name]) { Lasts = TimeSpan.FromSeconds(1) });
        });
        context.At(context.Horizon * 0.3, new FaultAction.RotateCertificate(topology.ExchangeA!.Name));
        Crashes(context, topology, tables);
    }

    /// <summary>
    /// Crashes at the worst moments: 10001's gateway right after it announced a message durable (the producer is being
    /// acknowledged), then restarted while an operator's typo sits in its route_table.json (it must serve its last
    /// table, not none); 10000's gateway right after its job service ran a call another party's gateway forwarded (the
    /// reply is lost, the forwarder retries into the new incarnation, which must not run it again).
    /// </summary>
    private static void Crashes(ScenarioContext context, GatewayTopology topology, RouteTables tables)
    {
        var (gw10000, gw10001) = (topology.Gateways["10000"], topology.Gateways["10001"]);
        context.Script(async w =>
        {
            await w.At(context.Horizon * 0.35);
            await w.Until<MessageStored>((_, at) => at.Subject == gw10001.Name);
            w.Restart(gw10001);
        });
        context.Script(async w =>
        {
            await w.At(context.Horizon * 0.5);
            w.Do(new FaultAction.RewriteFile(gw10001.Name, RouteTableKey, Encoding.UTF8.GetBytes(tables.Broken("10001")[1].Text)));
            await w.Delay(TimeSpan.FromSeconds(2.8));
            w.Restart(gw10001);
            await w.Delay(TimeSpan.FromSeconds(0.5));
            w.Do(new FaultAction.RewriteFile(gw10001.Name, RouteTableKey, Encoding.UTF8.GetBytes(tables.For("10001", false))));
        });
        context.Script(async w =>
        {
            await w.At(context.Horizon * 0.6);
            if (await w.Until<JobExecuted>(e => e.Party == "10000" && e.Source != "10000", TimeSpan.FromSeconds(1.5)) is not null)
            {
                w.Restart(gw10000);
            }
        });
    }

    private static GatewayOptions Options(ScenarioContext context, GatewayTopology topology, string party, Live me) =>
        new(party, me.Address, GatewayTopology.GatewayPort, me.ServerTls, me.TlsTo, topology.Speakers, Admins, context.Defects)
        {
            RouteTableKey = RouteTableKey,
            SelfNames = [me.Address, me.DnsName],
            RatePerSecond = Rate,
            Burst = Burst,
            PoolSize = PoolSize,
            VisibilityTimeout = Visibility,
            ConsumeWait = ConsumeWait,
            DedupeRetention = DedupeRetention,
        };

    /// <summary>Writes <paramref name="table"/> durably to <paramref name="key"/> on <paramref name="gateway"/>'s disk before it starts.</summary>
    internal static void Seed(Live gateway, string key, string table)
    {
        var disks = gateway.Machine.Disks;
        var disk = disks.TryGetValue(gateway.Name, out var existing) ? existing : disks[gateway.Name] = new DiskStore();
        disk.WriteDurable(key, Encoding.UTF8.GetBytes(table));
    }
}
