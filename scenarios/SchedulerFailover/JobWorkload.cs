using Bogus;
using Sim.Stack.Scheduler.Contracts;

namespace Sim.Scenarios.SchedulerFailover;

/// <summary>
/// Bogus-drawn jobs: DAG shapes (a chain, a fan-out/fan-in, layers with random edges), 2–7 tasks of 1–4 CPUs running
/// 0.2–1.2 s, maxParallelism 1–4, strict or best effort, a few critical tasks, a few programs that exit non-zero, and
/// now and then a task asking for more CPUs than any machine has (it must fail as unschedulable).
/// </summary>
public sealed class JobWorkload(Faker faker, string client)
{
    /// <summary>CPUs asked by an unplaceable task: more than the largest worker (<see cref="SchedulerTopology.MaxCpus"/>).</summary>
    public const int Unplaceable = 16;

    private int next;

    public JobSpec Next()
    {
        var id = $"{client}-{++next}-{faker.Random.AlphaNumeric(4)}";
        var size = faker.Random.Int(2, 7);
        var job = new JobSpec { Id = id, MaxParallelism = faker.Random.Int(1, 4), Strict = faker.Random.Bool(), Client = client };
        var shape = faker.PickRandom("chain", "fan", "layers");
        for (var i = 0; i < size; i++)
        {
            var task = new TaskSpec
            {
                Name = $"t{i}",
                Cpus = faker.Random.Int(1, 4),
                DurationMs = faker.Random.Int(200, 1200),
                Critical = faker.Random.Bool(0.3f),
                Fails = faker.Random.Bool(0.06f),
            };
            task.DependsOn.AddRange(Dependencies(shape, i, size));
            job.Tasks.Add(task);
        }

        if (faker.Random.Bool(0.08f))
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
