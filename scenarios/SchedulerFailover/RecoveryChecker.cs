using Sim.Stack.Scheduler.Contracts;

namespace Sim.Scenarios.SchedulerFailover;

/// <summary>
/// Liveness after the faults (Jepsen's final phase): once the faults have stopped, the party serves again. A canary user
/// submits one small job (two one-CPU tasks in a chain) half a second after the quiet point: by the horizon it was
/// accepted and the canary saw it succeed. And the intruder's round after the quiet point got an answer to every one of
/// its <see cref="Intruder.ProbeCount"/> probes (what each answer must be is <see cref="ProbeChecker"/>'s to judge). A
/// run where nothing could be submitted or probed — no store serving, no leader elected, no worker running — passes
/// every safety check vacuously; these two do not.
/// </summary>
public sealed class RecoveryChecker
{
    public const string Invariant = "service-recovers-after-the-faults";

    /// <summary>How long after the quiet point the canary submits.</summary>
    public static readonly TimeSpan CanaryAfter = TimeSpan.FromSeconds(0.5);

    public RecoveryChecker(ScenarioContext context, SchedulerTopology topology, TimeSpan lastRound)
    {
        var answered = new HashSet<string>(StringComparer.Ordinal);
        context.On<ProbeAnswered>((e, at) =>
        {
            if (at.Time >= lastRound && at.Subject == Intruder.Name)
            {
                answered.Add(e.Probe);
            }
        });
        context.Eventually(Invariant, () =>
        {
            if (topology.Canary?.Last is { } canary)
            {
                var id = Canary().Id;
                var since = canary.SubmittedAt is { } t ? $"submitted from {t.TotalSeconds:F3}s" : "never submitted";
                var wrong = !canary.Jobs.TryGetValue(id, out var seen) ? $"the canary's job {id} ({since}, after the faults stopped) was never accepted"
                    : seen != JobState.JobSucceeded ? $"the canary's job {id} ({since}) {(seen is { } s ? $"ended {s}" : "was never seen ending")}; its two tasks cannot fail"
                    : null;
                if (wrong is not null)
                {
                    return wrong;
                }
            }

            return lastRound >= context.EffectiveQuietAt && lastRound < context.Horizon && answered.Count < Intruder.ProbeCount
                ? $"the intruder's round at {lastRound.TotalSeconds:F3}s, after the faults stopped, got {answered.Count} of its {Intruder.ProbeCount} probes answered"
                : null;
        });
    }

    /// <summary>The canary's job: two one-CPU tasks of 0.3 s in a chain, neither failing.</summary>
    public static JobSpec Canary()
    {
        var job = new JobSpec { Id = "canary-1", MaxParallelism = 1, Strict = true, Client = "canary" };
        job.Tasks.Add(new TaskSpec { Name = "t0", Cpus = 1, DurationMs = 300 });
        job.Tasks.Add(new TaskSpec { Name = "t1", Cpus = 1, DurationMs = 300, DependsOn = { "t0" } });
        return job;
    }
}
