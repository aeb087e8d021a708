using Sim.Stack.Scheduler;
using Sim.Stack.Scheduler.Contracts;

namespace Sim.Scenarios.SchedulerFailover;

/// <summary>What `sim run` prints for scheduler-failover: jobs and their outcomes, the leader's terms, commits and reschedules, probes.</summary>
public sealed class SchedulerAccount
{
    private int rescheduled;
    private int stale;
    private int unschedulable;

    public SchedulerAccount(ScenarioContext context, SchedulerTopology topology, FencingChecker fencing, JobChecker jobs, TaskChecker tasks, ProbeChecker probes)
    {
        context.On<TaskRescheduled>((_, _) => rescheduled++);
        context.On<StaleReportIgnored>((_, _) => stale++);
        context.On<TaskGivenUp>((e, _) => unschedulable += e.Reason.StartsWith("no healthy machine", StringComparison.Ordinal) ? 1 : 0);
        context.Account(() =>
        {
            var all = jobs.All.ToList();
            var users = topology.Users.Select(u => u.Last).Where(u => u is not null).ToList();
            return
            [
                $"jobs: {all.Count} in the store, {all.Count(j => j.State == JobState.JobSucceeded)} succeeded, {all.Count(j => j.State == JobState.JobFailed)} failed, {all.Count(j => j.State == JobState.JobRunning)} running; users got {users.Sum(u => u!.Jobs.Count)} accepted and saw {users.Sum(u => u!.Jobs.Count(j => j.Value is not null))} end ({users.Sum(u => u!.Refused)} given up)",
                $"tasks: {tasks.Committed} committed, {rescheduled} rescheduled, {stale} stale reports ignored, {unschedulable} unschedulable",
                $"leader terms: {string.Join(", ", fencing.Terms.Select(t => $"epoch {t.Epoch} {t.Holder} at {t.At.TotalSeconds:F1}s"))}",
                $"probes answered: {probes.Answered}",
            ];
        });
    }
}
