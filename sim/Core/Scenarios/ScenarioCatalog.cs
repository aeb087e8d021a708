using Sim.Scenarios.Fleet;
using Sim.Scenarios.Futures;
using Sim.Scenarios.Gateway;
using Sim.Scenarios.Heartbeat;
using Sim.Scenarios.Psi;
using Sim.Scenarios.Register;
using Sim.Scenarios.SchedulerFailover;

namespace Sim.Scenarios;

/// <summary>Every scenario the `sim` command knows, by name.</summary>
public static class ScenarioCatalog
{
    public static IReadOnlyList<Scenario> All { get; } =
    [
        new RegisterScenario(), new HeartbeatScenario(), new FleetRestartScenario(), new ClientReconnectScenario(), new FleetLeaveScenario(),
        new CancelRaceScenario(), new RegisterAckKillScenario(), new GatewayRoutingScenario(),
        new PsiMultinodeScenario(),
        new SchedulerFailoverScenario(), new LeasePauseScenario(),
    ];

    public static Scenario? Find(string name) => All.FirstOrDefault(s => string.Equals(s.Name, name, StringComparison.Ordinal));

    /// <summary>The scenarios that claim <paramref name="defect"/>, in catalogue order.</summary>
    public static IReadOnlyList<Scenario> Claiming(string defect) => [.. All.Where(s => s.Claims.Contains(defect, StringComparer.Ordinal))];

    /// <summary>Where a defect is planted when no scenario is named: the first scenario that claims it.</summary>
    public static Scenario? HomeOf(string defect) => All.FirstOrDefault(s => s.Claims.Contains(defect, StringComparer.Ordinal));

    /// <summary>
    /// Where <paramref name="engine"/> searches for a defect when no scenario is named: for Coyote the first focused
    /// scenario that claims it (a broad scenario's thousands of decisions an iteration dilute its systematic search),
    /// else, and for the loop engine, <see cref="HomeOf(string)"/>.
    /// </summary>
    public static Scenario? HomeOf(string defect, string engine) =>
        (engine == "coyote" ? Claiming(defect).FirstOrDefault(s => s.Focused) : null) ?? HomeOf(defect);

    /// <summary>Why <paramref name="defect"/> cannot be planted in <paramref name="scenario"/>, or null if it can.</summary>
    public static string? WhyNotPlantable(string defect, Scenario scenario) =>
        scenario.Claims.Contains(defect, StringComparer.Ordinal) ? null
        : Claiming(defect) is { Count: > 0 } claimants ? $"'{defect}' belongs to scenario{(claimants.Count > 1 ? "s" : "")} {string.Join(", ", claimants.Select(s => $"'{s.Name}'"))}, not '{scenario.Name}'"
        : $"'{defect}' is claimed by no scenario";
}
