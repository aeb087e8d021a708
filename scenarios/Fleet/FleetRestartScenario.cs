using Bogus;
using Grpc.Core;
using Sim.Stack.Defects;
using Sim.Stack.Fleet;
using Sim.Stack.Fleet.Contracts;
using Sim.Stack.Host;
using Sim.Stack.Rpc;
using Sim.Worlds;

namespace Sim.Scenarios.Fleet;

/// <summary>
/// A Flower-style coordinator and its nodes on their own machines, with a driver submitting runs
/// throughout. Faults: graceful stops and crashes of nodes, a coordinator restart, partitions, TLS
/// session expiry, certificate rotation, clock skew inside and outside the signature window; hostile
/// nodes (unknown key, forged signature, replayed timestamp) and a node dialing the wrong name.
/// Invariants (<see cref="FleetChecker"/>): accounting, model, security and liveness, SCENARIOS.md section 1.
/// </summary>
public sealed class FleetRestartScenario(int nodes = 4, bool durable = false, TimeSpan? horizon = null) : Scenario
{
    private const int Port = 9092;

    /// <summary>Upstream 30 s and 5 s, scaled by 1/10 with the same ratio.</summary>
    public static readonly TimeSpan PingInterval = TimeSpan.FromSeconds(3);

    public static readonly TimeSpan CallTimeout = TimeSpan.FromSeconds(0.5);

    public override string Name => "fleet-restart";

    public override string Description => $"coordinator + {nodes} nodes ({(durable ? "durable" : "in-memory")} backend): node stops, crashes, coordinator restart, hostile nodes";

    public override IReadOnlyList<string> Claims => [DefectCatalogue.StaleNodeMapping];

    /// <summary>The scenario's own fault profile.</summary>
    public static FaultProfile Profile { get; } = new()
    {
        Name = "fleet-chaos",
        Network = new NetworkOptions { DropProbability = 0.01, ReorderProbability = 0.02 },
        Faults =
        [
            new PartitionFault { PerMinute = 3, Lasting = DurationRange.Seconds(1, 4) },
            new TlsExpiryFault { PerMinute = 3 },
            new ClockSkewFault { PerMinute = 2, MaxSkew = TimeSpan.FromSeconds(3) },
        ],
    };

    public override void Build(ScenarioContext context)
    {
        context.Horizon = horizon ?? TimeSpan.FromSeconds(60);
        context.QuietAt = context.Horizon * 0.75;
        context.Faults(Profile);

        var faker = new Faker { Random = new Randomizer((int)context.Workload.NextUInt64()) };
        var honest = Enumerable.Range(0, nodes).Select(_ => NodeCredentials.Generate(context.Workload)).ToList();
        var (replayer, stranger, forger) = (NodeCredentials.Generate(context.Workload), NodeCredentials.Generate(context.Workload), NodeCredentials.Generate(context.Workload));
        var allowed = honest.Append(replayer).Select(c => Convert.ToHexStringLower(c.PublicKey)).ToHashSet(StringComparer.Ordinal);

        var superlink = context.Service("superlink", "hub", Port, (host, me) => Coordinator.Start(host, new CoordinatorOptions(
            me.Address, Port, me.ServerTls, allowed, durable, context.Defects, TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(5))));
        var fleet = context.Clients("node", ["site-0", "site-1"], nodes, (host, me) => FleetNode.Start(host, new NodeOptions(
            superlink.DnsName, Port, superlink.ClientTls, honest[me.Index], PingInterval, CallTimeout, TimeSpan.FromMilliseconds(500), context.Defects)),
            new ServiceOptions { Killable = true });
        context.Client("driver", "hub", (host, _) => RunDriverAsync(host, faker, superlink));

        // Hostile nodes, and an honest one dialing the coordinator's address instead of its name.
        var probes = new (string Name, Func<DateTime, Metadata> Auth)[]
        {
            ("intruder", stranger.Sign),
            ("forger", now => HostileProbe.Forge(forger, honest[0], now)),
            ("replayer", now => replayer.Sign(now - TimeSpan.FromSeconds(30))),
            ("misdialer", honest[0].Sign),
        }.Select(p => context.Client(p.Name, "site-x", (host, _) => HostileProbe.Start(host, superlink, p.Auth, byAddress: p.Name == "misdialer"))).ToList();

        // The scripted incidents: a graceful stop and restart (DeleteNode, then CreateNode with the same
        // key), a crash and restart (no DeleteNode), a coordinator restart, and a clock pushed outside
        // the signature window for a while.
        context.At(TimeSpan.FromSeconds(8), new FaultAction.Stop("node1", TimeSpan.FromSeconds(1)));
        context.At(TimeSpan.FromSeconds(11), new FaultAction.Start("node1"));
        context.At(TimeSpan.FromSeconds(15), new FaultAction.Kill("node2"));
        context.At(TimeSpan.FromSeconds(17), new FaultAction.Start("node2"));
        context.At(TimeSpan.FromSeconds(20), new FaultAction.RotateCertificate("superlink"));
        context.At(TimeSpan.FromSeconds(24), new FaultAction.Restart("superlink"));
        context.At(TimeSpan.FromSeconds(30), new FaultAction.Skew("m-node3", TimeSpan.FromSeconds(40)));
        context.At(TimeSpan.FromSeconds(34), new FaultAction.Skew("m-node3", TimeSpan.Zero));

        _ = new FleetChecker(context, superlink, fleet, PingInterval);
        _ = new FleetAccount(context, superlink, fleet, probes, honest);
    }

    private static async Task RunDriverAsync(IHost host, Faker faker, Live coordinator)
    {
        var driver = new Driver.DriverClient(new RpcChannel(host, coordinator.DnsName, coordinator.Port, coordinator.ClientTls));
        long? run = null;
        var task = 0;
        while (!host.Lifetime.IsCancellationRequested)
        {
            await host.Clock.Delay(TimeSpan.FromSeconds(1), host.Lifetime);
            try
            {
                run ??= (await driver.CreateRunAsync(new CreateRunRequest { Fab = faker.Hacker.Abbreviation() }, deadline: host.Clock.UtcNow.AddSeconds(1))).RunId;
                var online = await driver.GetNodesAsync(new GetNodesRequest { RunId = run.Value }, deadline: host.Clock.UtcNow.AddSeconds(1));
                var push = new DriverPushTaskInsRequest();
                foreach (var node in online.Nodes)
                {
                    var ins = new TaskIns { TaskId = $"t{++task}", RunId = run.Value, NodeId = node.NodeId, Operation = faker.PickRandom("sum-of-squares", "max", "sum") };
                    ins.Inputs.AddRange(Enumerable.Range(0, 4).Select(_ => (long)faker.Random.Int(-100, 100)));
                    push.TaskInsList.Add(ins);
                }

                await driver.PushTaskInsAsync(push, deadline: host.Clock.UtcNow.AddSeconds(1));
            }
            catch (RpcException e) when (e.StatusCode == StatusCode.NotFound)
            {
                run = null; // a coordinator restart loses an in-memory run: start a new one
            }
            catch (RpcException)
            {
                // Unavailable or past its deadline: try again next second.
            }
        }
    }
}
