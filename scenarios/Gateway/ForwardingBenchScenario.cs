using System.Text;
using Sim.Stack.Gateway;
using Sim.Worlds;

namespace Sim.Scenarios.Gateway;

/// <summary>
/// The forwarding benchmark in the loop engine (not a catalogue scenario: `sim bench` runs it): one gateway, one job
/// service, one client sending <c>total</c> calls through the gateway, no faults. Invariant: every call succeeds.
/// </summary>
public sealed class ForwardingBenchScenario(int total, int concurrency) : Scenario
{
    public override string Name => "gateway-forwarding";

    public override string Description => "forwarding throughput: one gateway, one job service, one client, no faults";

    /// <summary>The client's workload of the last run built.</summary>
    public Live<ForwardingWorkload>? Client { get; private set; }

    public override void Build(ScenarioContext context)
    {
        context.Horizon = TimeSpan.FromMinutes(10);
        const string site = "party-9999";
        var jobs = context.Service("jobs", site, ForwardingWorkload.JobsPort, (host, me) => JobService.Start(host, ForwardingWorkload.Party, me.Address, ForwardingWorkload.JobsPort, null));
        var gateway = context.Service("gw", site, ForwardingWorkload.GatewayPort, (host, me) => SiteGateway.Start(host, ForwardingWorkload.Options(me.Address)));
        GatewayRoutingScenario.Seed(gateway, ForwardingWorkload.Options("").RouteTableKey, ForwardingWorkload.Table(jobs.Address));
        var client = Client = context.Client("client", site, (host, _) => ForwardingWorkload.Start(host, gateway.Address, total, concurrency));
        context.Eventually("every-forwarded-call-succeeds", () =>
            client.Last is { } w && w.Completed == total ? null : $"{client.Last?.Completed ?? 0} of {total} calls succeeded, {client.Last?.Failed ?? 0} failed");
    }
}
