using Bogus;
using Grpc.Core;
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
/// Invariants: SCENARIOS.md section 1.
/// </summary>
public sealed class FleetRestartScenario(int nodes = 4, bool durable = false, TimeSpan? horizon = null) : Scenario
{
    public const string MappingPointsAtLiveEntry = "key-mapping-points-at-live-entry";
    public const string PingLoopNeverDies = "ping-loop-never-dies";
    public const string HostileNeverServed = "hostile-node-rejected-and-never-served";
    public const string RestartedNodeGetsWork = "restarted-node-offered-work-within-two-ping-intervals";

    private const int Port = 9092;
    private const string Name_ = "superlink.fleet";

    /// <summary>Upstream 30 s and 5 s, scaled by 1/10 with the same ratio.</summary>
    public static readonly TimeSpan PingInterval = TimeSpan.FromSeconds(3);

    public static readonly TimeSpan CallTimeout = TimeSpan.FromSeconds(0.5);

    public override string Name => "fleet-restart";

    public override string Description => $"coordinator + {nodes} nodes ({(durable ? "durable" : "in-memory")} backend): node stops, crashes, coordinator restart, hostile nodes";

    public override void Build(ScenarioContext context)
    {
        context.Horizon = horizon ?? TimeSpan.FromSeconds(60);
        context.QuietAt = context.Horizon * 0.75;
        context.Faults(new FaultProfile
        {
            Name = "fleet-chaos",
            Network = new NetworkOptions { DropProbability = 0.01, ReorderProbability = 0.02 },
            Faults =
            [
                new PartitionFault { PerMinute = 3, Lasting = DurationRange.Seconds(1, 4) },
                new TlsExpiryFault { PerMinute = 3 },
                new ClockSkewFault { PerMinute = 2, MaxSkew = TimeSpan.FromSeconds(3) },
            ],
        });

        var ca = context.Authority("fleet-ca");
        var trust = ca.Trust();
        var cert = context.Certificate(Name_, ca, [Name_], TimeSpan.FromDays(30));
        var hub = context.Machine("m-superlink", "site-hub", "10.2.0.1");
        context.Name(Name_, "10.2.0.1");

        var faker = new Faker { Random = new Randomizer((int)context.Workload.NextUInt64()) };
        var honest = Enumerable.Range(0, nodes).Select(_ => NodeCredentials.Generate(context.Workload)).ToList();
        var replayer = NodeCredentials.Generate(context.Workload);
        var allowed = honest.Select(c => Convert.ToHexStringLower(c.PublicKey)).Append(Convert.ToHexStringLower(replayer.PublicKey)).ToHashSet(StringComparer.Ordinal);

        Coordinator? coordinator = null;
        context.Process("superlink", hub, host =>
        {
            coordinator = Coordinator.Start(host, new CoordinatorOptions(
                "10.2.0.1", Port, new TlsServerOptions(() => cert.Current), allowed, durable, context.Defects,
                TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(5)));
            return Task.CompletedTask;
        });

        var fleetNodes = new Dictionary<string, FleetNode>(StringComparer.Ordinal);
        var incarnations = new Dictionary<string, List<FleetNode>>(StringComparer.Ordinal);
        var processes = new List<SimProcess>();
        for (var i = 0; i < nodes; i++)
        {
            var machine = context.Machine($"m-node{i}", $"site-{i % 2}", $"10.2.1.{i + 1}");
            var credentials = honest[i];
            var options = new NodeOptions(Name_, Port, new TlsClientOptions(Name_, trust), credentials, PingInterval, CallTimeout, TimeSpan.FromMilliseconds(500), context.Defects);
            processes.Add(context.Process($"node{i}", machine, host =>
            {
                var node = FleetNode.Start(host, options);
                fleetNodes[host.Name] = node;
                (incarnations.TryGetValue(host.Name, out var all) ? all : incarnations[host.Name] = []).Add(node);
                return Task.CompletedTask;
            }));
        }

        // The driver submits runs and tasks to whichever nodes are online.
        var driverMachine = context.Machine("m-driver", "site-hub", "10.2.0.2");
        context.Process("driver", driverMachine, host => RunDriverAsync(host, faker, new TlsClientOptions(Name_, trust)), killable: false);

        // Hostile nodes and a misconfigured one.
        var hostile = new Dictionary<string, HostileProbe>(StringComparer.Ordinal);
        var hostileMachine = context.Machine("m-hostile", "site-x", "10.2.9.1");
        var stranger = NodeCredentials.Generate(context.Workload);
        var forger = NodeCredentials.Generate(context.Workload);
        AddHostile(context, hostile, hostileMachine, "intruder", trust, now => stranger.Sign(now));
        AddHostile(context, hostile, hostileMachine, "forger", trust, now =>
        {
            // Presents an allowed node's public key with a signature made by another key.
            var forged = forger.Sign(now);
            forged.Remove(forged.Get(NodeCredentials.PublicKeyHeader)!);
            forged.Add(NodeCredentials.PublicKeyHeader, honest[0].PublicKey);
            return forged;
        });
        AddHostile(context, hostile, hostileMachine, "replayer", trust, now => replayer.Sign(now - TimeSpan.FromSeconds(30)));
        AddHostile(context, hostile, hostileMachine, "misdialer", trust, now => honest[0].Sign(now), serverName: "10.2.0.1");

        // The scripted incidents: a graceful stop and restart (DeleteNode, then CreateNode with the same
        // key), a crash and restart (no DeleteNode), a coordinator restart, and a clock pushed outside
        // the signature window for a while.
        context.At(TimeSpan.FromSeconds(8), new FaultAction.Stop("node1", TimeSpan.FromSeconds(1)));
        context.At(TimeSpan.FromSeconds(11), new FaultAction.Start("node1"));
        context.At(TimeSpan.FromSeconds(15), new FaultAction.Kill("node2"));
        context.At(TimeSpan.FromSeconds(17), new FaultAction.Start("node2"));
        context.At(TimeSpan.FromSeconds(20), new FaultAction.RotateCertificate(Name_));
        context.At(TimeSpan.FromSeconds(24), new FaultAction.Restart("superlink"));
        context.At(TimeSpan.FromSeconds(30), new FaultAction.Skew("m-node3", TimeSpan.FromSeconds(40)));
        context.At(TimeSpan.FromSeconds(34), new FaultAction.Skew("m-node3", TimeSpan.Zero));

        context.Always(MappingPointsAtLiveEntry, () =>
        {
            if (coordinator is null)
            {
                return null;
            }

            foreach (var (key, id) in coordinator.State.KeyToNode)
            {
                if (!coordinator.State.Nodes.ContainsKey(id))
                {
                    return $"public key {key[..12]} maps to node {id}, which has no registry entry";
                }
            }

            return null;
        });
        context.Always(PingLoopNeverDies, () =>
        {
            foreach (var p in processes.Where(p => p.IsUp))
            {
                if (fleetNodes.TryGetValue(p.Name, out var n) && !n.PingLoopAlive)
                {
                    return $"{p.Name} (node {n.NodeId}) is running but its ping loop died: {n.PingLoopDeath}";
                }
            }

            return null;
        });
        context.Always(HostileNeverServed, () =>
        {
            foreach (var (name, probe) in hostile)
            {
                if (probe.Accepted > 0)
                {
                    return $"{name} was served {probe.Accepted} call(s){(probe.Tasks > 0 ? $" and received {probe.Tasks} task(s)" : "")}: {probe.LastAccepted}";
                }
            }

            return null;
        });
        context.Eventually(RestartedNodeGetsWork, () =>
        {
            var bound = context.EffectiveQuietAt + (2 * PingInterval);
            foreach (var p in processes.Where(p => p.IsUp))
            {
                if (!fleetNodes.TryGetValue(p.Name, out var n) || !n.TaskTimes.Any(t => t >= context.EffectiveQuietAt && t <= bound))
                {
                    return $"{p.Name} was not offered work within two ping intervals ({2 * PingInterval.TotalSeconds}s) after the network healed at {context.EffectiveQuietAt.TotalSeconds}s";
                }
            }

            return null;
        });

        context.Account(() =>
            fleetNodes.OrderBy(n => n.Key, StringComparer.Ordinal)
                .SelectMany(n => new[] { $"{n.Key}: node {n.Value.NodeId}, {n.Value.TasksDone} task(s) in its current incarnation, ping loop {(n.Value.PingLoopAlive ? "alive" : "DEAD: " + n.Value.PingLoopDeath)}" }
                    .Concat(incarnations[n.Key].SelectMany(i => i.Account).Select(a => "    " + a)))
                .Concat(hostile.OrderBy(h => h.Key, StringComparer.Ordinal).Select(h => $"{h.Key}: {h.Value.Rejected} call(s) rejected, {h.Value.Accepted} accepted; last error: {h.Value.LastError}"))
                .Concat(coordinator is null ? [] : [$"superlink: {coordinator.State.Nodes.Count} node(s) registered, {coordinator.State.Results.Count} result(s), {coordinator.Rejections.Count} rejection(s) since its last start", RegistryOutcome(coordinator, honest)]));
    }

    /// <summary>Which honest nodes' keys end the run registered (the outcome both backends must agree on).</summary>
    public static string RegistryOutcome(Coordinator coordinator, IReadOnlyList<NodeCredentials> honest) =>
        "registry outcome: " + string.Join(", ", honest.Select((c, i) =>
            $"node{i}={(coordinator.State.KeyToNode.TryGetValue(Convert.ToHexStringLower(c.PublicKey), out var id) && coordinator.State.Nodes.ContainsKey(id) ? "registered" : "absent")}"));

    private static void AddHostile(ScenarioContext context, Dictionary<string, HostileProbe> probes, Machine machine, string name, TrustStore trust, Func<DateTime, Metadata> auth, string serverName = Name_)
    {
        var probe = new HostileProbe();
        probes[name] = probe;
        context.Process(name, machine, host => probe.RunAsync(host, new TlsClientOptions(serverName, trust), auth, serverName), killable: false);
    }

    private static async Task RunDriverAsync(IHost host, Faker faker, TlsClientOptions tls)
    {
        var driver = new Driver.DriverClient(new RpcChannel(host, Name_, Port, tls));
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
            catch (RpcException e)
            {
                // A coordinator restart loses an in-memory run: start a new one.
                if (e.StatusCode == StatusCode.NotFound)
                {
                    run = null;
                }
            }
        }
    }

    /// <summary>A client that must never be served: it keeps trying to register and pull work.</summary>
    private sealed class HostileProbe
    {
        public int Rejected { get; private set; }

        public int Accepted { get; private set; }

        public int Tasks { get; private set; }

        public string LastError { get; private set; } = "-";

        public string LastAccepted { get; private set; } = "-";

        public async Task RunAsync(IHost host, TlsClientOptions tls, Func<DateTime, Metadata> auth, string target)
        {
            var fleet = new Sim.Stack.Fleet.Contracts.Fleet.FleetClient(new RpcChannel(host, target, Port, tls));
            while (!host.Lifetime.IsCancellationRequested)
            {
                await host.Clock.Delay(TimeSpan.FromSeconds(2), host.Lifetime);
                try
                {
                    var created = await fleet.CreateNodeAsync(new CreateNodeRequest { PingInterval = 3 }, auth(host.Clock.UtcNow), host.Clock.UtcNow.AddSeconds(1));
                    Accepted++;
                    LastAccepted = $"CreateNode gave node {created.Node.NodeId}";
                    var pulled = await fleet.PullTaskInsAsync(new PullTaskInsRequest { Node = created.Node }, auth(host.Clock.UtcNow), host.Clock.UtcNow.AddSeconds(1));
                    Tasks += pulled.TaskInsList.Count;
                }
                catch (RpcException e)
                {
                    Rejected++;
                    LastError = $"{e.StatusCode}: {e.Status.Detail}";
                }
            }
        }
    }
}
