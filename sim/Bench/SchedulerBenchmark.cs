using Sim.Engine;
using Sim.Scenarios;
using Sim.Scenarios.SchedulerFailover;
using Sim.Stack.Defects;
using Sim.Stack.Scheduler;
using Sim.Worlds;

namespace Sim.Bench;

/// <summary>
/// `sim bench --engine scheduler` (issue 15's figures, loop engine, virtual time): the failover time — virtual seconds
/// from the moment the leading replica is killed to the new leader's lease grant and to its first write of the party's
/// state (a task, job or health object at the new epoch) — median, p99 and max over <see cref="FailoverSeeds"/> seeds;
/// and jobs ended per virtual minute in a minute of scheduler-failover's party (3 replicas, 3 workers, 2 users
/// submitting Bogus job DAGs) without faults and with scheduler-failover's drawn faults (kills, pauses, partitions,
/// skews, disk stalls), median over <see cref="ThroughputSeeds"/> seeds.
/// </summary>
public static class SchedulerBenchmark
{
    public const int FailoverSeeds = 200;

    public const int ThroughputSeeds = 10;

    private static readonly TimeSpan Minute = TimeSpan.FromMinutes(1);

    public static IEnumerable<Figure> Run(Action<string> progress, int failoverSeeds = FailoverSeeds, int throughputSeeds = ThroughputSeeds)
    {
        progress($"scheduler: the leader killed mid-job, {failoverSeeds} seeds (loop engine)");
        var failovers = Enumerable.Range(1, failoverSeeds).Select(seed => Failover((ulong)seed)).ToList();
        var granted = failovers.Where(f => f.Granted is not null).Select(f => f.Granted!.Value.TotalSeconds).Order().ToList();
        var written = failovers.Where(f => f.Written is not null).Select(f => f.Written!.Value.TotalSeconds).Order().ToList();
        var note = $"{written.Count} of {failoverSeeds} seeds had a new leader write before the 16-s run ended (lease 1.5 s, renew deadline 1 s, retry 0.2 s)";
        yield return new Figure("scheduler.failover_to_first_write_median", Math.Round(Quantile(written, 0.5), 3), "s", note);
        yield return new Figure("scheduler.failover_to_first_write_p99", Math.Round(Quantile(written, 0.99), 3), "s", note);
        yield return new Figure("scheduler.failover_to_first_write_max", Math.Round(written.LastOrDefault(), 3), "s", note);
        yield return new Figure("scheduler.failover_to_lease_grant_median", Math.Round(Quantile(granted, 0.5), 3), "s", $"kill to the store granting the next epoch, {granted.Count} of {failoverSeeds} seeds");
        yield return new Figure("scheduler.failover_to_lease_grant_p99", Math.Round(Quantile(granted, 0.99), 3), "s", $"kill to the store granting the next epoch, {granted.Count} of {failoverSeeds} seeds");

        foreach (var faults in new[] { false, true })
        {
            progress($"scheduler: jobs per virtual minute, {(faults ? "with scheduler-failover's drawn faults" : "no faults")}, {throughputSeeds} seeds");
            var rates = Enumerable.Range(1, throughputSeeds).Select(seed => Throughput((ulong)seed, faults)).Order().ToList();
            var name = faults ? "with_faults" : "no_faults";
            yield return new Figure($"scheduler.jobs_per_virtual_minute_{name}", Math.Round(Quantile(rates, 0.5), 1), "jobs/min",
                $"jobs ended (succeeded or failed) in one virtual minute, median of {throughputSeeds} seeds (min {rates[0]:F0}, max {rates[^1]:F0})");
        }
    }

    /// <summary>One run: a party whose leader is killed at a drawn time once jobs are running; the times from the kill to the next lease grant and to the first write of the new leader.</summary>
    public static (TimeSpan? Granted, TimeSpan? Written) Failover(ulong seed)
    {
        TimeSpan? killedAt = null;
        long epochAtKill = 0;
        long epoch = 0;
        TimeSpan? granted = null, written = null;
        var scenario = new InlineScenario("scheduler-failover-time", context =>
        {
            context.Horizon = TimeSpan.FromSeconds(16);
            context.Faults(FaultProfile.None);
            var options = new SchedulerOptions(context.Defects);
            var topology = new SchedulerTopology();
            SchedulerFailoverScenario.PlaceParty(context, topology, options, workers: 3);
            SchedulerFailoverScenario.PlaceUser(context, topology, "user0", TimeSpan.FromSeconds(14));
            context.On<LeaseGranted>((e, at) =>
            {
                epoch = Math.Max(epoch, e.Epoch);
                if (killedAt is not null && granted is null && e.Epoch > epochAtKill)
                {
                    granted = at.Time - killedAt;
                }
            });
            context.On<StoreWriteAccepted>((e, at) =>
            {
                if (killedAt is not null && written is null && e.Epoch > epochAtKill && e.Key != StoreKeys.Lease)
                {
                    written = at.Time - killedAt;
                }
            });
            var killAt = context.Workload.Between(TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(4));
            context.Script(async w =>
            {
                await w.At(killAt);
                await w.Until(() => topology.Leader is not null, TimeSpan.FromSeconds(3));
                if (topology.Leader is { } leader)
                {
                    epochAtKill = epoch;
                    killedAt = w.Now;
                    w.Kill(leader);
                }
            }, "kill-leader");
        });
        var result = Simulation.Run(scenario, new RunConfig(scenario.Name, seed, "random", DefectSet.None, KeepEventLog: false, Buggify: false));
        return result.Violation is not null
            ? throw new InvalidOperationException($"the failover run of seed {seed} broke an invariant: {result.Violation}")
            : (granted, written);
    }

    /// <summary>Jobs ended per virtual minute: one minute of scheduler-failover's party, two users submitting throughout.</summary>
    public static double Throughput(ulong seed, bool faults)
    {
        var ended = new HashSet<string>(StringComparer.Ordinal);
        var scenario = new InlineScenario("scheduler-throughput", context =>
        {
            context.Horizon = Minute;
            context.QuietAt = Minute;
            context.Faults(faults ? SchedulerFailoverScenario.Profile : FaultProfile.None);
            var options = new SchedulerOptions(context.Defects);
            var topology = new SchedulerTopology();
            SchedulerFailoverScenario.PlaceParty(context, topology, options, workers: 3);
            for (var i = 0; i < 2; i++)
            {
                SchedulerFailoverScenario.PlaceUser(context, topology, $"user{i}", Minute);
            }

            context.On<JobFinished>((e, _) => ended.Add(e.Job));
        });
        var result = Simulation.Run(scenario, new RunConfig(scenario.Name, seed, "random", DefectSet.None, KeepEventLog: false, Buggify: false));
        return result.Violation is not null
            ? throw new InvalidOperationException($"the throughput run of seed {seed} broke an invariant: {result.Violation}")
            : ended.Count / result.VirtualTime.TotalMinutes;
    }

    private static double Quantile(IReadOnlyList<double> sorted, double q) =>
        sorted.Count == 0 ? double.NaN : sorted[Math.Clamp((int)Math.Ceiling(q * sorted.Count) - 1, 0, sorted.Count - 1)];
}
