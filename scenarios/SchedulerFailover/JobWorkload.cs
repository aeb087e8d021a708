using Bogus;
using Sim.Stack.Scheduler.Contracts;

namespace Sim.Scenarios.SchedulerFailover;

/// <summary>
/// Bogus-drawn jobs: DAG shapes (a chain, a fan-out/fan-in, layers with random edges), 2–7 tasks of 1–4 CPUs running
/// 0.2–1.2 s, maxParallelism 1–4, strict or best effort, a few critical tasks, a few programs that exit non-zero, and
/// now and then a task asking for more CPUs than any machine has (it must fail as unschedulable). A <see cref="JobSizes"/>
/// other than <see cref="JobSizes.Full"/> draws smaller jobs (the focused scenario's, whose runs must stay short).
/// </summary>
public sealed class JobWorkload(Faker faker, string client, JobSizes? sizes = null)
{
    private readonly JobSizes sizes = sizes ?? JobSizes.Full;

    /// <summary>CPUs asked by an unplaceable task: more than the largest worker (<see cref="SchedulerTopology.MaxCpus"/>).</summary>
    public const int Unplaceable = 16;

    private int next;

    public JobSpec Next()
    {
        var id = $"{client}-{++next}-{faker.Random.AlphaNumeric(4)}";
        var size = faker.Random.Int(2, sizes.MaxTasks);
        var job = new JobSpec { Id = id, MaxParallelism = faker.Random.Int(1, 4), Strict = faker.Random.Bool(), Client = client };
        var shape = faker.PickRandom("chain", "fan", "layers");
        for (var i = 0; i < size; i++)
        {
            var task = new TaskSpec
            {
                Name = $"t{i}",
                Cpus = faker.Random.Int(1, 4),
                DurationMs = faker.Random.Int(200, sizes.MaxDurationMs),
                Critical = faker.Random.Bool(0.3f),
                Fails = faker.Random.Bool(0.06f),
            };
            task.DependsOn.AddRange(Dependencies(shape, i, size));
            job.Tasks.Add(task);
        }

        if (faker.Random.Bool(sizes.UnplaceableOdds))
        {
            job.Tasks[faker.Random.Int(0, size - 1)].Cpus = Unplaceable;
        }

        return job;
    }

    private IEnumerable<string> Dependencies(string shape, int i, int size) => shape switch
    {
        "chain" => i == 0 ? [] : [$"t{i - 1}"],
        "fan" => i == 0 ? [] : i < size - 1 ? ["t0"] : Enumerable.Range(1, Math.Max(0, size - 2)).Select(j => $"t{j}").DefaultIfEmpty("t0"),
        _ => Enumerable.Range(0, i).Where(_ => faker.Random.Bool(0.35f)).Select(j => $"t{j}"),
    };
}

/// <summary>How large <see cref="JobWorkload"/>'s jobs are drawn: tasks per job (from 2), a task's longest run, the odds of an unplaceable task.</summary>
public sealed record JobSizes(int MaxTasks, int MaxDurationMs, float UnplaceableOdds)
{
    /// <summary>scheduler-failover's jobs: 2–7 tasks of 0.2–1.2 s, an unplaceable task in 8% of them.</summary>
    public static JobSizes Full { get; } = new(7, 1200, 0.08f);

    /// <summary>scheduler-lease-pause's: 2–4 tasks of 0.2–0.7 s and none unplaceable, so every job ends within its short horizon.</summary>
    public static JobSizes Small { get; } = new(4, 700, 0f);
}
