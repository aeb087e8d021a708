using System.Globalization;
using Sim.Scenarios;
using Sim.Scenarios.Fleet;
using Sim.Scenarios.Psi;
using Sim.Scenarios.SchedulerFailover;

namespace Sim.Oracles;

/// <summary>
/// The oracle suite's fixed budgets: which fault profiles and strategies each scenario runs under, and on how
/// many seeds. These defaults are what Stryker runs for every mutant, so a surviving mutant's test run takes
/// seconds (a fleet-restart run is ~0.5 s, the others ~0.1 s). <see cref="ScaleVariable"/> multiplies every
/// seed count for a deeper run by hand; a mutation score is only comparable at the same scale.
/// The profiles follow scenarios.yaml. A catalogue scenario without an entry runs <see cref="Fallback"/>, so
/// a new scenario is in the suite from the day it joins the catalogue.
/// </summary>
public static class OracleBudgets
{
    /// <summary>Multiplies every seed count (a positive integer; 1 when unset).</summary>
    public const string ScaleVariable = "SIM_ORACLE_SCALE";

    private static readonly Dictionary<string, OracleCase[]> Explicit = new(StringComparer.Ordinal)
    {
        ["register"] =
        [
            // 9 default seeds: the deep stale-replica-overwrite falls at seed 9 since unary calls end at their deadline while
            // a dial is pending (it fell at partition seed 5 before; now at 28).
            new("register", "", "default", "random", 9), new("register", "", "default", "pct", 3),
            new("register", "", "chaos", "random", 3), new("register", "", "crashes", "random", 3),
            new("register", "", "partitions", "random", 5),
        ],
        ["heartbeat"] =
        [
            new("heartbeat", "", "default", "random", 2), new("heartbeat", "", "chaos", "random", 2),
            new("heartbeat", "", "partitions", "random", 2),
        ],
        // Fleet mutation work (issue 12): 6 default random seeds (not 4): with the new probers and scripted races the
        // deep queue-for-offline-node is first caught on seed 6.
        ["fleet-restart"] =
        [
            new("fleet-restart", "", "default", "random", 6), new("fleet-restart", "", "default", "pct", 2),
            new("fleet-restart", "", "chaos", "random", 2), new("fleet-restart", "", "crashes", "random", 2),
            new("fleet-restart", "durable", "default", "random", 2),
        ],
        ["fleet-leave"] =
        [
            new("fleet-leave", "", "default", "random", 6), new("fleet-leave", "", "default", "pct", 3),
        ],
        ["client-reconnect"] =
        [
            new("client-reconnect", "", "default", "random", 6), new("client-reconnect", "", "default", "pct", 3),
            new("client-reconnect", "", "partitions", "random", 3),
        ],
        ["futures-cancel-race"] =
        [
            new("futures-cancel-race", "", "default", "random", 12), new("futures-cancel-race", "", "default", "pct", 6),
        ],

        // Register, issue 12: the focused ack-vs-replication-vs-kill scenario runs without random faults (its two
        // kills are scripted), ~0.05 s a run, so it gets seeds rather than profiles.
        ["register-ack-kill"] =
        [
            new("register-ack-kill", "", "default", "random", 10), new("register-ack-kill", "", "default", "pct", 6),
        ],
        // gateway-routing: random seed 6 is the first to catch torn-route-reload (a race) since the scenario's crashes
        // at the worst moments and its second probe loop, so the random case runs 6 seeds.
        ["gateway-routing"] =
        [
            new("gateway-routing", "", "default", "random", 6), new("gateway-routing", "", "default", "pct", 1),
            new("gateway-routing", "", "chaos", "random", 1),
        ],

        // PSI over party clusters (issue 14): ~0.4 s a run (curve arithmetic dominates); the scenario draws its cluster
        // sizes, curve, receivers and incident per seed, so seeds rather than profiles.
        ["psi-multinode"] =
        [
            new("psi-multinode", "", "default", "random", 6), new("psi-multinode", "", "default", "pct", 2),
            new("psi-multinode", "", "crashes", "random", 1),

            // Variants pin what the draws reach too rarely for a fixed budget: a protocol mismatch, every way an input
            // file breaks (two broken parties a run), the actor's machine killed with a retry allowed, a head restart.
            new("psi-multinode", "mismatch", "default", "random", 2),
            new("psi-multinode", "bad-input-1", "default", "random", 1), new("psi-multinode", "bad-input-2", "default", "random", 1),
            new("psi-multinode", "bad-input-3", "default", "random", 1), new("psi-multinode", "bad-input-4", "default", "random", 1),
            new("psi-multinode", "kill", "default", "random", 3), new("psi-multinode", "restart-head", "default", "random", 3),
            // An actor asking for more CPU slots than any machine has: the head's placement timeout, the unschedulable failure.
            new("psi-multinode", "unschedulable", "default", "random", 2),
        ],

        // Replicated schedulers: ~4 s a run of scheduler-failover, ~1.5 s for the focused one; random seed 7 is the first
        // to catch lease-without-fencing (a race), so the random case runs 8 seeds.
        ["scheduler-failover"] =
        [
            new("scheduler-failover", "", "default", "random", 8), new("scheduler-failover", "", "default", "pct", 1),
            // A replica the store trusts writing at the edges of the lease and fencing rules (refusal reasons judged).
            new("scheduler-failover", "rogue", "default", "random", 2),
        ],
        ["scheduler-lease-pause"] =
        [
            new("scheduler-lease-pause", "", "default", "random", 6), new("scheduler-lease-pause", "", "default", "pct", 3),
        ],
    };

    /// <summary>What a catalogue scenario without an entry runs.</summary>
    public static IReadOnlyList<OracleCase> Fallback(string scenario) =>
        [new(scenario, "", "default", "random", 4), new(scenario, "", "default", "pct", 2), new(scenario, "", "chaos", "random", 2)];

    /// <summary>Every case, in catalogue order.</summary>
    public static IReadOnlyList<OracleCase> All =>
        ScenarioCatalog.All.SelectMany(s => Explicit.TryGetValue(s.Name, out var cases) ? cases : Fallback(s.Name)).ToList();

    /// <summary>The cases of one scenario.</summary>
    public static IReadOnlyList<OracleCase> Of(string scenario) => All.Where(c => c.Scenario == scenario).ToList();

    public static OracleCase Find(string id) =>
        All.SingleOrDefault(c => c.Id == id) ?? throw new ArgumentException($"no oracle case '{id}'");

    /// <summary>Scenarios run with other parameters than the catalogue's instance (code the catalogue leaves dark).</summary>
    public static Scenario? Variant(string scenario, string variant) => (scenario, variant) switch
    {
        (_, "") => null,
        ("fleet-restart", "durable") => new FleetRestartScenario(durable: true),
        ("scheduler-failover", "rogue") => new SchedulerFailoverScenario(rogue: true),
        ("psi-multinode", "mismatch") => new PsiMultinodeScenario(incident: PsiIncident.None, mismatch: true),
        ("psi-multinode", "bad-input-1") => new PsiMultinodeScenario(incident: PsiIncident.None, aliceInput: BadInput.Missing, bobInput: BadInput.NoHeader),
        ("psi-multinode", "bad-input-2") => new PsiMultinodeScenario(incident: PsiIncident.None, aliceInput: BadInput.Duplicate, bobInput: BadInput.Empty),
        ("psi-multinode", "bad-input-3") => new PsiMultinodeScenario(incident: PsiIncident.None, aliceInput: BadInput.Malformed, bobInput: BadInput.ShortId),
        ("psi-multinode", "bad-input-4") => new PsiMultinodeScenario(incident: PsiIncident.None, aliceInput: BadInput.BlankLine),
        ("psi-multinode", "kill") => new PsiMultinodeScenario(aliceNodes: 3, bobNodes: 3, incident: PsiIncident.KillActorMachine, maxAttempts: 2),
        ("psi-multinode", "unschedulable") => new PsiMultinodeScenario(incident: PsiIncident.None, aliceCpus: PsiMultinodeScenario.CpusPerNode + 1),
        ("psi-multinode", "restart-head") => new PsiMultinodeScenario(aliceNodes: 2, bobNodes: 2, incident: PsiIncident.RestartHead, maxAttempts: 2),
        _ => throw new ArgumentException($"unknown variant '{variant}' of scenario '{scenario}'"),
    };

    /// <summary>The seed multiplier from <see cref="ScaleVariable"/>.</summary>
    public static int Scale(string? value)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            return 1;
        }

        return int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var scale) && scale > 0
            ? scale
            : throw new ArgumentException($"{ScaleVariable} must be a positive integer (got '{value}')");
    }

    public static int Scale() => Scale(Environment.GetEnvironmentVariable(ScaleVariable));
}
