using Sim.Stack.Defects;
using Sim.Stack.Scheduler;
using Sim.Stack.Scheduler.Contracts;
using Sim.Worlds;

namespace Sim.Scenarios.SchedulerFailover;

/// <summary>
/// The focused failover race (for Coyote's systematic strategies, as register-ack-kill is for the register): the
/// party's store, three replicas, two workers and one user submitting small Bogus jobs (<see cref="JobSizes.Small"/>)
/// for three seconds, in an 8-second run (a Coyote iteration's cost grows with its operations); no drawn
/// faults, two scripted ones at drawn times — the leader paused across its lease's expiry right as the store takes one
/// of its task writes (it resumes mid-pass or not, depending on the schedule) and a busy worker paused past its unhealthy mark (its attempt finishes after it
/// was rescheduled, or not). The checkers are scheduler-failover's (<see cref="SchedulerFailoverScenario"/>).
/// </summary>
public sealed class LeasePauseScenario : Scenario
{
    public override string Name => "scheduler-lease-pause";

    public override string Description => "focused: a leader paused across its lease's expiry and a busy worker paused past its unhealthy mark (store, 3 replicas, 2 workers, 1 user)";

    public override bool Focused => true;

    public override IReadOnlyList<string> Claims => [DefectCatalogue.LeaseWithoutFencing, DefectCatalogue.RescheduleDoubleCommit];

    public override void Build(ScenarioContext context)
    {
        context.Horizon = TimeSpan.FromSeconds(8);
        context.QuietAt = TimeSpan.FromSeconds(4.5);
        context.Faults(FaultProfile.None);
        var options = new SchedulerOptions(context.Defects);
        var topology = new SchedulerTopology();
        SchedulerFailoverScenario.PlaceParty(context, topology, options, workers: 2);
        SchedulerFailoverScenario.PlaceUser(context, topology, "user0", TimeSpan.FromSeconds(3), JobSizes.Small);
        SchedulerFailoverScenario.Check(context, topology, options);

        var rng = context.Workload;
        var pauseAt = rng.Between(TimeSpan.FromSeconds(1.2), TimeSpan.FromSeconds(2.4));
        var pauseFor = options.LeaseDuration + rng.Between(TimeSpan.FromSeconds(0.2), TimeSpan.FromSeconds(0.8));
        context.Script(async w =>
        {
            // Right as the store takes the leader's commit of a task that succeeded: its reply is on the way, and the
            // rest of that pass still has writes to make (the task's successors placed, or its job finished), so
            // whether they go out before the pause lands, after it under a new leader's lease, or never (the lease
            // loop stepping down first) is the schedule's choice.
            await w.At(pauseAt);
            var write = await w.Until<StoreWriteAccepted>(e => e.Key.StartsWith(StoreKeys.Tasks, StringComparison.Ordinal) && e.Epoch > 0 && Succeeded(e.Value), TimeSpan.FromSeconds(2));
            if (topology.Replicas.FirstOrDefault(r => r.Name == write?.Writer) is { } leader)
            {
                w.Do(new FaultAction.Pause(leader.Name) { Lasts = pauseFor });
            }
        }, "leader-pause");
        context.Script(async w =>
        {
            await w.At(rng.Between(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(2.4)));
            await w.Until(() => topology.Workers.Any(x => x.Current is { Started.Count: > 0 }), TimeSpan.FromSeconds(1.5));
            if (topology.Workers.FirstOrDefault(x => x.Current is { Started.Count: > 0 }) is { } worker)
            {
                w.Do(new FaultAction.Pause(worker.Name) { Lasts = options.UnhealthyAfter + rng.Between(TimeSpan.FromSeconds(0.2), TimeSpan.FromSeconds(1)) });
            }
        }, "worker-pause");
    }

    private static bool Succeeded(byte[] value)
    {
        try
        {
            return TaskObject.Parser.ParseFrom(value).State == TaskState.TaskSucceeded;
        }
        catch (Google.Protobuf.InvalidProtocolBufferException)
        {
            return false;
        }
    }
}
