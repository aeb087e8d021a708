using Sim.Engine;
using Sim.Scenarios;
using Sim.Scenarios.SchedulerFailover;
using Sim.Stack.Defects;
using Sim.Stack.Scheduler;
using Sim.Stack.Scheduler.Contracts;
using Sim.Testing;
using Sim.Worlds;

namespace Sim.Tests;

/// <summary>Replicated schedulers (src/Scheduler) and the scheduler-failover scenario.</summary>
public sealed class SchedulerTests
{
    [Fact]
    public void KillingTheLeaderMidJobLosesNoTaskAndCommitsEachOnceUnderTheNewEpoch()
    {
        StoreModel? store = null;
        TaskChecker? tasks = null;
        var killedAt = TimeSpan.Zero;
        var scenario = new InlineScenario("scheduler-kill-leader", ctx =>
        {
            ctx.Horizon = TimeSpan.FromSeconds(15);
            var options = new SchedulerOptions(ctx.Defects);
            var topology = new SchedulerTopology();
            SchedulerFailoverScenario.PlaceParty(ctx, topology, options, workers: 3);
            SchedulerFailoverScenario.PlaceClient(ctx, "user0", (host, me) =>
                JobSubmitter.StartOne(host, new SchedulerClient(host, SchedulerTopology.Endpoints(me), topology.ReplicaNames), Chain("chain", 5)));
            store = new StoreModel(ctx);
            _ = new FencingChecker(ctx, store, options);
            _ = new LifecycleChecker(ctx, store, options, new FaultHistory(ctx));
            JobChecker? jobs = null;
            tasks = new TaskChecker(ctx, store, options.LifecycleBound, key => jobs!.ReadyAt(key));
            jobs = new JobChecker(ctx, store, options.LifecycleBound, options.LeaseDuration + options.RenewDeadline + TimeSpan.FromSeconds(1));
            ctx.Script(async w =>
            {
                // Mid-job: the second task of the chain runs.
                await w.Until<TaskPlaced>(e => e.Task == "t1");
                var leader = topology.Leader!;
                killedAt = w.Now;
                w.Kill(leader);
            });
        });

        var result = Simulation.Run(scenario, new RunConfig(scenario.Name, 1, "random", DefectSet.None));

        result.AssertClean();
        var job = JobObject.Parser.ParseFrom(store!.Value(StoreKeys.Job("chain")));
        Assert.Equal(JobState.JobSucceeded, job.State);
        Assert.Equal(5, tasks!.Committed);
        var epochs = result.Log.Entries.Select(e => e.Event).OfType<LeaderElected>().Select(e => e.Epoch).ToList();
        var commits = result.Log.Entries.Where(e => e.Event is TaskCommitted).ToList();
        Assert.True(epochs.Count >= 2, $"one leader only: epochs {string.Join(", ", epochs)}");
        Assert.Contains(commits, c => c.Time > killedAt && ((TaskCommitted)c.Event).Epoch == epochs[^1] && epochs[^1] > epochs[0]);
        Assert.Contains(result.Log.Entries, e => e.Event is LeaderElected elected && elected.Epoch == epochs[^1] && e.Time > killedAt);
    }

    [Fact]
    public void TheFailoverFigureMeasuresFromTheKillToTheNewLeadersLeaseAndFirstWrite()
    {
        var options = new SchedulerOptions(DefectSet.None);

        var times = Enumerable.Range(1, 3).Select(seed => Sim.Bench.SchedulerBenchmark.Failover((ulong)seed)).ToList();

        foreach (var (granted, written) in times)
        {
            // A follower takes the lease once it has seen no renewal for a lease duration: never before the dead leader's
            // last renewal (at most a retry period before the kill) expires, and within a retry period or so after it.
            Assert.NotNull(granted);
            Assert.NotNull(written);
            Assert.InRange(granted!.Value, options.LeaseDuration - options.RetryPeriod, options.LeaseDuration + options.RenewDeadline);
            Assert.True(written >= granted, $"first write {written} before the lease grant {granted}");
        }

        Assert.True(Sim.Bench.SchedulerBenchmark.Throughput(1, faults: false) > 10, "fewer than 10 jobs ended in a virtual minute without faults");
    }

    [Fact]
    public void WithoutDefectsTheScenarioRunsCleanAndJobsFinish()
    {
        var result = Simulation.Run(new SchedulerFailoverScenario(), new RunConfig("scheduler-failover", 2, "random", DefectSet.None));

        result.AssertClean();
        var timeline = Sim.Report.RunTimeline.Of(result);
        Assert.True(timeline.LeaderChanges.Count >= 3, $"leader changes on the timeline: {timeline.LeaderChanges.Count}");
        Assert.Equal(Enumerable.Range(1, timeline.LeaderChanges.Count).Select(i => (long)i), timeline.LeaderChanges.Select(l => l.Epoch));
        Assert.Contains(result.Account, l => l.StartsWith("jobs: ", StringComparison.Ordinal) && l.Contains(" 0 running", StringComparison.Ordinal) && !l.Contains(" 0 succeeded", StringComparison.Ordinal));
        Assert.Contains(result.Account, l => l.StartsWith("leader terms: epoch 1 ", StringComparison.Ordinal) && l.Contains("epoch 3", StringComparison.Ordinal));
    }

    [Fact]
    public void TheSameSeedGivesTheSameEventLog()
    {
        var scenario = new SchedulerFailoverScenario(TimeSpan.FromSeconds(12));
        var first = Simulation.Run(scenario, new RunConfig("scheduler-failover", 5, "random", DefectSet.None));
        var second = Simulation.Run(scenario, new RunConfig("scheduler-failover", 5, "random", DefectSet.None));

        Assert.Equal(first.Hash, second.Hash);
        Assert.Equal(first.Steps, second.Steps);
    }

    [Theory]
    [InlineData(DefectCatalogue.LeaseWithoutFencing, FencingChecker.NoDeposedWrites)]
    [InlineData(DefectCatalogue.RescheduleDoubleCommit, LifecycleChecker.Invariant)]
    public void TheLoopEngineFindsEachDefectAndItReplays(string defect, string invariant)
    {
        var outcome = Explore.WithLoop("scheduler-lease-pause", defect: defect, iterations: 30);

        Assert.NotNull(outcome.Bug);
        Assert.Equal(invariant, outcome.Bug.Violation!.Invariant);
        var replay = Simulation.Run(ScenarioCatalog.Find("scheduler-lease-pause")!, outcome.Bug.Config);
        Assert.Equal(outcome.Bug.Hash, replay.Hash);
        Assert.Equal(invariant, replay.Violation?.Invariant);
    }

    [Fact]
    public void ASubmitWithACycleOrNoParallelismIsInvalid()
    {
        Assert.Null(JobValidation.Problem(Chain("ok", 3)));
        var cycle = Chain("cycle", 2);
        cycle.Tasks[0].DependsOn.Add("t1");
        Assert.Equal("a dependency cycle through t0, t1", JobValidation.Problem(cycle));
        var zero = Chain("zero", 1);
        zero.MaxParallelism = 0;
        Assert.Equal("maxParallelism 0 < 1", JobValidation.Problem(zero));
        var unknown = Chain("unknown", 1);
        unknown.Tasks[0].DependsOn.Add("nope");
        Assert.Equal("depends on unknown task 'nope'", JobValidation.Problem(unknown));
    }

    [Fact]
    public void LeaderElectionKeepsClientGosOrderOfDurations()
    {
        new SchedulerOptions(DefectSet.None).Validate();
        var upstream = new SchedulerOptions(DefectSet.None) { LeaseDuration = TimeSpan.FromSeconds(15), RenewDeadline = TimeSpan.FromSeconds(10), RetryPeriod = TimeSpan.FromSeconds(2) };
        upstream.Validate();
        var inverted = upstream with { RenewDeadline = TimeSpan.FromSeconds(20) };
        Assert.Throws<ArgumentException>(inverted.Validate);
    }

    private static JobSpec Chain(string id, int length)
    {
        var job = new JobSpec { Id = id, MaxParallelism = 2, Strict = true, Client = "user0" };
        for (var i = 0; i < length; i++)
        {
            var task = new TaskSpec { Name = $"t{i}", Cpus = 2, DurationMs = 800, Critical = true };
            if (i > 0)
            {
                task.DependsOn.Add($"t{i - 1}");
            }

            job.Tasks.Add(task);
        }

        return job;
    }
}
