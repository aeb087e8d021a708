using Sim.Scenarios.Fleet;
using Sim.Scenarios.Futures;
using Sim.Scenarios.Heartbeat;
using Sim.Scenarios.Register;

namespace Sim.Scenarios;

/// <summary>Every scenario the `sim` command knows, by name.</summary>
public static class ScenarioCatalog
{
    public static IReadOnlyList<Scenario> All { get; } = [new RegisterScenario(), new HeartbeatScenario(), new FleetRestartScenario(), new ClientReconnectScenario()];

    public static Scenario? Find(string name) => All.FirstOrDefault(s => string.Equals(s.Name, name, StringComparison.Ordinal));
}
