using Sim.Engine;
using Sim.Engine.Coyote;
using Sim.Scenarios;
using Sim.Scenarios.Heartbeat;
using Sim.Stack.Defects;
using Sim.Testing;
using Sim.Worlds;

namespace Sim.Tests;

/// <summary>Every scenario of the catalogue, under every builtin fault profile (swarm included) and its own: the same seed gives the same run.</summary>
public sealed class ScenarioDeterminismTests
{
    /// <summary>The scenario's own profile, then every builtin one.</summary>
    public static IReadOnlyList<string> Profiles => ["default", .. FaultProfile.Builtin.Select(p => p.Name)];

    public static TheoryData<string, string> ScenariosAndProfiles()
    {
        var data = new TheoryData<string, string>();
        foreach (var scenario in ScenarioCatalog.All)
        {
            foreach (var profile in Profiles)
            {
                data.Add(scenario.Name, profile);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(ScenariosAndProfiles))]
    public void TheSameSeedGivesTheSameEventLogHash(string scenario, string profile)
    {
        var config = new RunConfig(scenario, 3, "random", DefectSet.None, profile == "default" ? null : FaultProfile.Builtin.Single(p => p.Name == profile), KeepEventLog: false);

        var first = Simulation.Run(ScenarioCatalog.Find(scenario)!, config);
        var second = Simulation.Run(ScenarioCatalog.Find(scenario)!, config);

        Assert.True(first.Hash == second.Hash, $"{scenario} under {profile}: {first.Hash} then {second.Hash}");
        Assert.Equal(first.Steps, second.Steps);
        Assert.Equal(first.Violation, second.Violation);
        Assert.Equal(first.Faults!.Describe(), second.Faults!.Describe());
        Assert.True(first.Steps > 100, $"{scenario} under {profile} ran {first.Steps} steps");
    }

    [Fact]
    public void ASwarmRunDrawsItsProfileFromItsSeedAndLogsIt()
    {
        var register = ScenarioCatalog.Find("register")!;
        RunResult Run(ulong seed) => Simulation.Run(register, new RunConfig("register", seed, "random", DefectSet.None, FaultProfile.Swarm));

        var runs = Enumerable.Range(1, 6).Select(seed => Run((ulong)seed)).ToList();

        // The same seed draws the same profile; seeds differ in which kinds are on and at what rates.
        Assert.Equal(runs[0].Faults!.Describe(), Run(1).Faults!.Describe());
        Assert.True(runs.Select(r => r.Faults!.Describe()).Distinct().Count() >= 5, string.Join("\n", runs.Select(r => r.Faults!.Describe())));
        Assert.True(runs.Select(r => string.Join(',', r.Faults!.Faults.Select(k => k.Name))).Distinct().Count() >= 3);
        foreach (var run in runs)
        {
            var profile = run.Faults!;
            Assert.Equal("swarm", profile.Name);
            Assert.False(profile.DrawnPerRun);
            Assert.All(profile.Faults, k => Assert.NotNull(FaultKinds.Find(k.Name)));

            // Logged as the run's first fault event, on one line; described on several, a line per kind on.
            var plan = Assert.Single(run.Log.Entries, e => e.Event is FaultPlan).Event as FaultPlan;
            Assert.Same(profile, plan!.Profile);
            Assert.Contains(run.Log.Lines, l => l.Contains($" fault.plan swarm buggify=on {profile.Describe()}", StringComparison.Ordinal));
            Assert.Equal(1 + profile.Faults.Count, profile.DescribeLines().Count);
        }
    }
}

/// <summary>Every scenario's Coyote finding replays from its trace to the same invariant and hash.</summary>
[Collection(nameof(CoyoteCollection))]
public sealed class ScenarioReplayTests
{
    public static TheoryData<string> Scenarios() => [.. ScenarioCatalog.All.Select(s => s.Name)];

    private static readonly HashSet<string> NotYetFoundByCoyote = new(["scheduler-failover", "scheduler-lease-pause"], StringComparer.Ordinal);

    [Theory]
    [MemberData(nameof(Scenarios))]
    public void AFindingReplaysFromItsTraceToTheSameInvariantAndHash(string name)
    {
        var (scenario, config) = Finding(name);
        var options = new CoyoteOptions("random", 5);

        var found = CoyoteEngine.Explore(scenario, config, options);
        Assert.True(found.Violation is not null, found.Summary());
        var replayed = CoyoteEngine.Replay(scenario, config, options, found.ReproducibleTrace!);

        Assert.Null(replayed.TestbedError);
        Assert.Equal(found.Violation.Invariant, replayed.Violation?.Invariant);
        Assert.Equal(found.Violation.Message, replayed.Violation?.Message);
        Assert.Equal(found.Hash, replayed.Hash);
        Assert.Equal(found.Log!.Lines, replayed.Log!.Lines);
    }

    /// <summary>
    /// A scenario with a defect in the catalogue plants its first one. One without (heartbeat) runs under the swarm
    /// profile, wrapped with an invariant that fails at a chosen virtual time: the finding is that instant, reached
    /// through everything the run did until then (faults, BUGGIFY, scheduling), all of which the trace must replay.
    /// </summary>
    private static (Scenario Scenario, RunConfig Config) Finding(string name)
    {
        var scenario = ScenarioCatalog.Find(name)!;
        if (NotYetFoundByCoyote.Contains(name))
        {
            // Issue 15's open work: Coyote has not found these scenarios' defects yet (an iteration takes about a minute
            // on this machine). Their trace must still replay: the finding is an instant 2 virtual seconds in.
            var early = new InlineScenario(name + "-until-2s", ctx =>
            {
                scenario.Build(ctx);
                ctx.Always("runs-until-2s", () => ctx.World.Now >= TimeSpan.FromSeconds(2) ? $"reached {ctx.World.Now.TotalSeconds:F6}s after {ctx.World.Events.Count} events" : null);
            });
            return (early, new RunConfig(early.Name, 1, "random", DefectSet.None));
        }

        if (scenario.Defects.Count > 0)
        {
            return (scenario, new RunConfig(name, 1, "random", new DefectSet([scenario.Defects[0].Name])));
        }

        var smaller = new HeartbeatScenario(nodes: 3, horizon: TimeSpan.FromSeconds(20));
        var wrapped = new InlineScenario(name + "-until-12s", ctx =>
        {
            smaller.Build(ctx);
            ctx.Always("runs-until-12s", () => ctx.World.Now >= TimeSpan.FromSeconds(12) ? $"reached {ctx.World.Now.TotalSeconds:F6}s after {ctx.World.Events.Count} events" : null);
        });
        return (wrapped, new RunConfig(wrapped.Name, 1, "random", DefectSet.None, FaultProfile.Swarm));
    }
}
