using Sim.Stack.Scheduler;
using Sim.Stack.Scheduler.Contracts;

namespace Sim.Oracles;

/// <summary>
/// The rules of the replicated schedulers that scheduler-failover's runs do not reach on their own (its workload submits
/// only valid jobs; its intruder probes two invalid ones), checked against their specification at both edges: which job
/// specs a replica refuses and with what message, client-go's ordering of the lease durations, which store keys are
/// fenced and which worker owns a key (the store's write permissions rest on it), and the informer's rule that only a
/// newer version replaces an object.
/// </summary>
public sealed class SchedulerRuleTests
{
    [Fact]
    [Trait("Category", InvariantOracleTests.Category)]
    public void AReplicaRefusesEveryInvalidJobWithItsReason()
    {
        // Accepted at the edges: one slot of parallelism, one CPU, a zero duration, a dependency named twice.
        Assert.Null(JobValidation.Problem(Job("j1", 1, Task("t0"), Task("t1", deps: ["t0", "t0"]), Task("t2", deps: ["t1", "t0"]))));

        Assert.Equal("a job id is non-empty and has no '/'", JobValidation.Problem(Job("", 1, Task("t0"))));
        Assert.Equal("a job id is non-empty and has no '/'", JobValidation.Problem(Job("a/b", 1, Task("t0"))));
        Assert.Equal("no tasks", JobValidation.Problem(Job("j1", 1)));
        Assert.Equal("maxParallelism 0 < 1", JobValidation.Problem(Job("j1", 0, Task("t0"))));
        Assert.Equal("task name '' is empty, has a '/', or repeats", JobValidation.Problem(Job("j1", 1, Task(""))));
        Assert.Equal("task name 'a/b' is empty, has a '/', or repeats", JobValidation.Problem(Job("j1", 1, Task("a/b"))));
        Assert.Equal("task name 't0' is empty, has a '/', or repeats", JobValidation.Problem(Job("j1", 1, Task("t0"), Task("t0"))));
        Assert.Equal("task t0: cpus 0 < 1 or duration 0 < 0", JobValidation.Problem(Job("j1", 1, Task("t0", cpus: 0))));
        Assert.Equal("task t0: cpus 1 < 1 or duration -1 < 0", JobValidation.Problem(Job("j1", 1, Task("t0", duration: -1))));
        Assert.Equal("depends on unknown task 'zz'", JobValidation.Problem(Job("j1", 1, Task("t0"), Task("t1", deps: ["t0", "zz"]))));
        Assert.Equal("a dependency cycle through t0", JobValidation.Problem(Job("j1", 1, Task("t0", deps: ["t0"]), Task("t1"))));
        Assert.Equal("a dependency cycle through t1, t2", JobValidation.Problem(Job("j1", 1, Task("t0"), Task("t1", deps: ["t0", "t2"]), Task("t2", deps: ["t1"]))));
    }

    [Fact]
    [Trait("Category", InvariantOracleTests.Category)]
    public void LeaderElectionNeedsLeaseAboveRenewDeadlineAboveRetries()
    {
        var valid = new SchedulerOptions(Sim.Stack.Defects.DefectSet.None);
        valid.Validate();
        (valid with { RenewDeadline = TimeSpan.FromSeconds(0.25) }).Validate();

        var equal = Assert.Throws<ArgumentException>(() => (valid with { LeaseDuration = valid.RenewDeadline }).Validate());
        Assert.StartsWith("leader election needs LeaseDuration > RenewDeadline > 1.2 × RetryPeriod (got 00:00:01, 00:00:01, 00:00:00.2000000)", equal.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => (valid with { RenewDeadline = valid.RetryPeriod * 1.2 }).Validate());
    }

    [Fact]
    [Trait("Category", InvariantOracleTests.Category)]
    public void OnlyTheLeadersKeysAreFencedAndAWorkerOwnsOnlyItsOwn()
    {
        Assert.Equal([true, true, true, false, false, false],
            new[] { StoreKeys.Job("j1"), StoreKeys.Task("j1", "t0"), StoreKeys.HealthOf("w1"), StoreKeys.Lease, StoreKeys.Beat("w1"), StoreKeys.Report("w1", "j1", "t0", 2) }
                .Select(StoreKeys.IsFenced));

        Assert.Equal("reports/w1/j1/t0/12", StoreKeys.Report("w1", "j1", "t0", 12));
        Assert.Equal("w1", StoreKeys.OwnerOf(StoreKeys.Beat("w1")));
        Assert.Equal("w1", StoreKeys.OwnerOf(StoreKeys.Report("w1", "j1", "t0", 1)));
        Assert.Null(StoreKeys.OwnerOf("reports/w1"));
        Assert.Null(StoreKeys.OwnerOf("reports//j1/t0/1"));
        Assert.Null(StoreKeys.OwnerOf(StoreKeys.Task("j1", "t0")));
    }

    [Fact]
    [Trait("Category", InvariantOracleTests.Category)]
    public void TheInformerKeepsTheNewestVersionOfEachObject()
    {
        // Take never calls the store: the cache's merge rule alone.
        var cache = new ObjectCache(null!, null!, "", TimeSpan.Zero);
        var changed = new List<string>();
        cache.Changed = o => changed.Add($"{o.Key}@{o.Version}");

        cache.Take(Stored("jobs/j1", 5));
        cache.Take(Stored("jobs/j1", 4));
        cache.Take(Stored("jobs/j1", 5));
        cache.Take(Stored("tasks/j1/t0", 3));
        cache.Take(Stored("jobs/j1", 7));

        Assert.Equal(["jobs/j1@5", "tasks/j1/t0@3", "jobs/j1@7"], changed);
        Assert.Equal(7, cache.Revision);
        Assert.Equal(7, cache.Find("jobs/j1")!.Version);
        Assert.Equal(["tasks/j1/t0"], cache.Under("tasks/").Select(o => o.Key));
    }

    private static JobSpec Job(string id, int maxParallelism, params TaskSpec[] tasks) => new() { Id = id, MaxParallelism = maxParallelism, Tasks = { tasks } };

    private static TaskSpec Task(string name, int cpus = 1, long duration = 0, string[]? deps = null) =>
        new() { Name = name, Cpus = cpus, DurationMs = duration, DependsOn = { deps ?? [] } };

    private static StoredObject Stored(string key, long version) => new() { Key = key, Version = version, Found = true };
}
