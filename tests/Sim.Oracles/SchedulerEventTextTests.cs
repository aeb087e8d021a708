using Grpc.Core;
using Sim.Stack.Host;
using Sim.Stack.Scheduler;
using Sim.Stack.Scheduler.Contracts;

namespace Sim.Oracles;

/// <summary>
/// The replicated schedulers' event-log lines as users read them: each event's kind and details for fixed values, both
/// branches of every conditional part. An oracle case of its own, because scheduler-failover's checkers subscribe to the
/// typed records.
/// </summary>
public sealed class SchedulerEventTextTests
{
    [Fact]
    [Trait("Category", InvariantOracleTests.Category)]
    public void EverySchedulerEventReadsAsDocumented()
    {
        // Built here, not in theory data: Stryker counts only code a test runs as covered by it.
        (SimEvent Event, string Kind, string Details)[] lines =
        [
            (new StoreServing(7, [new StoredObject { Key = "jobs/j1" }, new StoredObject { Key = "lease" }]), "store.serving", "revision 7, 2 object(s) recovered"),
            (new StoreWriteAccepted("jobs/j1", 5, 4, 2, "replica-1", []), "store.write", "jobs/j1 v5 (expected 4) epoch 2 by replica-1"),
            (new StoreWriteRefused("jobs/j1", 4, 1, "replica-2", "replica-1", StatusCode.FailedPrecondition, "fenced", []), "store.refused",
                "jobs/j1 epoch 1 holder replica-2 by replica-1: FailedPrecondition fenced"),
            (new LeaseGranted("replica-2", 3, 9), "store.lease-granted", "epoch 3 to replica-2 (v9)"),
            (new LeaderElected(3), "scheduler.leading", "epoch 3"),
            (new LeaderStepDown(3, "renew deadline passed"), "scheduler.stepped-down", "epoch 3: renew deadline passed"),
            (new SubmitGaveUp("j1", 1), "client.gave-up", "j1 after 1 try"),
            (new SubmitGaveUp("j1", 3), "client.gave-up", "j1 after 3 tries"),
            (new ViewStale("j1"), "scheduler.view-stale", "job j1 without all its tasks in view"),
            (new TaskPlaced("j1", "t1", 2, "w1", 3), "scheduler.placed", "j1/t1 attempt 2 on w1 (epoch 3)"),
            (new TaskRescheduled("j1", "t1", 2, "w1"), "scheduler.rescheduled", "j1/t1 attempt 2 left w1"),
            (new TaskCommitted("j1", "t1", 2, true, 3), "scheduler.committed", "j1/t1 attempt 2 succeeded (epoch 3)"),
            (new TaskCommitted("j1", "t1", 2, false, 3), "scheduler.committed", "j1/t1 attempt 2 failed (epoch 3)"),
            (new StaleReportIgnored("j1", "t1", 1, 2), "scheduler.stale-report", "j1/t1 attempt 1 (current 2)"),
            (new TaskGivenUp("j1", "t1", TaskState.TaskFailed, "no healthy machine"), "scheduler.task-ended", "j1/t1 TaskFailed: no healthy machine"),
            (new WorkerMarked("w1", true, "heartbeat"), "scheduler.worker-marked", "w1 healthy: heartbeat"),
            (new WorkerMarked("w1", false, "silent"), "scheduler.worker-marked", "w1 unhealthy: silent"),
            (new JobFinished("j1", JobState.JobSucceeded, ""), "scheduler.job-finished", "j1 JobSucceeded"),
            (new JobFinished("j1", JobState.JobFailed, "t1 failed"), "scheduler.job-finished", "j1 JobFailed: t1 failed"),
            (new AttemptStarted("j1", "t1", 2), "worker.started", "j1/t1 attempt 2"),
            (new AttemptReported("j1", "t1", 2, true), "worker.reported", "j1/t1 attempt 2 succeeded"),
            (new AttemptReported("j1", "t1", 2, false), "worker.reported", "j1/t1 attempt 2 failed"),
            (new JobSubmitted("j1", 4, "replica-1", 3, 1), "client.submitted", "j1 (4 tasks) by replica-1 epoch 3 after 1 try"),
            (new JobSubmitted("j1", 4, "replica-1", 3, 2), "client.submitted", "j1 (4 tasks) by replica-1 epoch 3 after 2 tries"),
            (new JobObserved("j1", JobState.JobSucceeded, ""), "client.job-ended", "j1 JobSucceeded"),
            (new JobObserved("j1", JobState.JobFailed, "t1 failed"), "client.job-ended", "j1 JobFailed: t1 failed"),
        ];

        EventText.AssertReadAsDocumented(lines);
    }
}
