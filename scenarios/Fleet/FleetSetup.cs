using Bogus;
using Sim.Stack.Fleet;

namespace Sim.Scenarios.Fleet;

/// <summary>
/// Builds a fleet for a scenario: the coordinator, the honest nodes, optionally the driver and the probing clients
/// (with the TLS decoy), the reference model and every checker, in the order the checkers need (those that judge a
/// decision against the state before it subscribe before the model follows the coordinator).
/// </summary>
public static class FleetSetup
{
    /// <summary>The allow-listed key a prober signs its own timestamps with (a node whose clock is wrong).</summary>
    public const string SkewedProber = "skewed";

    public static FleetTopology Build(ScenarioContext context, int nodes, bool durable, bool driver, bool probers)
    {
        var port = FleetRestartScenario.Port;
        var faker = new Faker { Random = new Randomizer((int)context.Workload.NextUInt64()) };
        var honest = Enumerable.Range(0, nodes).Select(_ => NodeCredentials.Generate(context.Workload)).ToList();
        var (own, stranger, forger) = (NodeCredentials.Generate(context.Workload), NodeCredentials.Generate(context.Workload), NodeCredentials.Generate(context.Workload));
        var allowed = honest.Append(own).Select(c => Convert.ToHexStringLower(c.PublicKey)).ToHashSet(StringComparer.Ordinal);

        var superlink = context.Service("superlink", "hub", port, (host, me) => Coordinator.Start(host, new CoordinatorOptions(
            me.Address, port, me.ServerTls, allowed, durable, context.Defects, TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(5))));
        var fleet = context.Clients("node", ["site-0", "site-1"], nodes, (host, me) => FleetNode.Start(host, new NodeOptions(
            superlink.DnsName, port, superlink.ClientTls, honest[me.Index], FleetRestartScenario.PingInterval, FleetRestartScenario.CallTimeout,
            FleetRestartScenario.PullInterval, context.Defects)),
            new ServiceOptions { Killable = true });
        var submitter = driver ? context.Client("driver", "hub", (host, _) => FleetDriver.Start(host, faker, superlink)) : null;

        var probes = new List<Live<Prober>>();
        if (probers)
        {
            var decoy = context.Service("decoy", "site-x", TlsDecoy.ExpiredPort, (host, me) => TlsDecoy.Start(host, me), new ServiceOptions { Killable = false });
            var victim = fleet[0];
            foreach (var (name, kinds) in ProbeKinds.ByProber)
            {
                probes.Add(context.Client(name, "site-x", (host, _) => Prober.Start(host, new ProberOptions(
                    superlink, decoy, kinds, own, stranger, forger, honest[0], () => victim.Current?.NodeId ?? 0))));
            }
        }

        var keys = fleet.ToDictionary(n => n.Name, n => Convert.ToHexStringLower(honest[n.Index].PublicKey), StringComparer.Ordinal);
        var topology = new FleetTopology(superlink, fleet, keys, submitter, probes, durable, FleetRestartScenario.PingInterval, FleetRestartScenario.PullInterval);

        var model = new FleetModel(context, superlink, durable);
        var clocks = new ClockHistory(context);
        var disturbances = new Disturbances(context);
        _ = new EligibilityChecker(context, topology, model);
        _ = new FleetChecker(context, topology, model);
        _ = new LeaveChecker(context, topology, model, disturbances);
        _ = new RunChecker(context, topology, model);
        _ = new NodeLogChecker(context, topology);
        var ledger = new TaskLedger(context, topology, model);
        var earlyFires = new EarlyFires(context);
        _ = new CallChecker(context, topology, disturbances, earlyFires);
        _ = new PacingChecker(context, topology, FleetRestartScenario.CallTimeout, earlyFires);
        var security = new SecurityChecker(context, topology, clocks);
        _ = new ResourceChecker(context, topology);
        _ = new DurabilityChecker(context, topology);
        model.Attach();
        _ = new ModelChecker(context, model);
        _ = new FleetAccount(context, topology, ledger, security, honest);
        return topology;
    }
}
