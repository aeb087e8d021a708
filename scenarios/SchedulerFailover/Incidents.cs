using Sim.Stack.Scheduler;
using Sim.Worlds;

namespace Sim.Scenarios.SchedulerFailover;

/// <summary>
/// The scripted incidents of scheduler-failover, each at a time drawn per run inside its own window of the faulty
/// part: the leader killed mid-job (restarted later), the leader paused across its lease's expiry and resumed, the
/// leader cut off from the store, the store restarted and its disk stalled, a busy worker paused up to a little past the unhealthy
/// mark, two replicas' clocks skewed by seconds.
/// </summary>
public static class Incidents
{
    public static void Script(ScenarioContext context, SchedulerTopology topology, SchedulerOptions options)
    {
        var rng = context.Workload;
        var quiet = context.EffectiveQuietAt;
        TimeSpan In(double from, double to) => rng.Between(quiet * from, quiet * to);
        var kill = In(0.15, 0.25);
        var pause = In(0.3, 0.45);
        var pauseFor = options.LeaseDuration + rng.Between(TimeSpan.FromSeconds(0.3), options.LeaseDuration);
        var partition = In(0.5, 0.6);
        var storeRestart = In(0.65, 0.75);
        var workerPause = In(0.2, 0.8);

        context.Script(async w =>
        {
            await w.At(kill);
            if (await LeaderAsync(w, topology) is { } leader)
            {
                w.Kill(leader);
                await w.Delay(TimeSpan.FromSeconds(2));
                w.Start(leader);
            }

            await w.At(pause);
            if (await LeaderAsync(w, topology) is { } paused)
            {
                w.Do(new FaultAction.Pause(paused.Name) { Lasts = pauseFor });
            }

            await w.At(partition);
            if (await LeaderAsync(w, topology) is { } cut)
            {
                w.Do(new FaultAction.Partition([cut.Machine.Name], [topology.Store!.Machine.Name]) { Lasts = options.LeaseDuration * 1.5 });
            }

            await w.At(storeRestart);
            w.Kill(topology.Store!);
            await w.Delay(TimeSpan.FromSeconds(0.5));
            w.Start(topology.Store!);
        }, "leader-incidents");

        context.Script(async w =>
        {
            await w.At(workerPause);
            var busy = await w.Until(() => topology.Workers.FirstOrDefault(x => x.Current is { } agent && agent.Started.Count > 0 && x.IsUp && !x.Process.Paused) is not null, TimeSpan.FromSeconds(2));
            if (busy && topology.Workers.FirstOrDefault(x => x.Current is { Started.Count: > 0 } && !x.Process.Paused) is { } worker)
            {
                // Sometimes past the unhealthy mark (then its tasks move), sometimes not: the race stays a race.
                w.Do(new FaultAction.Pause(worker.Name) { Lasts = rng.Between(options.UnhealthyAfter * 0.25, options.UnhealthyAfter * 1.2) });
            }
        }, "worker-pause");

        context.At(In(0.1, 0.3), new FaultAction.Skew(topology.Replicas[1].Machine.Name, TimeSpan.FromSeconds(3)));
        context.At(In(0.1, 0.3), new FaultAction.Skew(topology.Replicas[2].Machine.Name, TimeSpan.FromSeconds(-2)));
        context.At(In(0.3, 0.6), new FaultAction.StallDisk(topology.Store!.Name, TimeSpan.FromSeconds(0.8)));
    }

    /// <summary>The replica leading now, waiting up to a lease and a half for one.</summary>
    private static async Task<Live<SchedulerReplica>?> LeaderAsync(Script w, SchedulerTopology topology)
    {
        await w.Until(() => topology.Leader is not null, TimeSpan.FromSeconds(3));
        return topology.Leader;
    }
}
