using Sim.Stack.Scheduler.Contracts;

namespace Sim.Stack.Scheduler;

/// <summary>What makes a job spec unacceptable: no tasks, duplicate or unknown task names, a cycle, bad numbers.</summary>
public static class JobValidation
{
    /// <summary>The first problem with <paramref name="job"/>, or null when it is a valid DAG.</summary>
    public static string? Problem(JobSpec job)
    {
        if (job.Id.Length == 0 || job.Id.Contains('/', StringComparison.Ordinal))
        {
            return "a job id is non-empty and has no '/'";
        }

        if (job.Tasks.Count == 0)
        {
            return "no tasks";
        }

        if (job.MaxParallelism < 1)
        {
            return $"maxParallelism {job.MaxParallelism} < 1";
        }

        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var task in job.Tasks)
        {
            if (task.Name.Length == 0 || task.Name.Contains('/', StringComparison.Ordinal) || !names.Add(task.Name))
            {
                return $"task name '{task.Name}' is empty, has a '/', or repeats";
            }

            if (task.Cpus < 1 || task.DurationMs < 0)
            {
                return $"task {task.Name}: cpus {task.Cpus} < 1 or duration {task.DurationMs} < 0";
            }
        }

        if (job.Tasks.SelectMany(t => t.DependsOn).FirstOrDefault(d => !names.Contains(d)) is { } unknown)
        {
            return $"depends on unknown task '{unknown}'";
        }

        return Cycle(job);
    }

    /// <summary>Kahn's algorithm: the tasks that never become free of dependencies lie on a cycle.</summary>
    private static string? Cycle(JobSpec job)
    {
        var waiting = job.Tasks.ToDictionary(t => t.Name, t => t.DependsOn.Distinct(StringComparer.Ordinal).Count(), StringComparer.Ordinal);
        var free = new Queue<string>(waiting.Where(w => w.Value == 0).Select(w => w.Key));
        var done = 0;
        while (free.TryDequeue(out var name))
        {
            done++;
            foreach (var next in job.Tasks.Where(t => t.DependsOn.Contains(name)))
            {
                if (--waiting[next.Name] == 0)
                {
                    free.Enqueue(next.Name);
                }
            }
        }

        return done == job.Tasks.Count ? null : $"a dependency cycle through {string.Join(", ", waiting.Where(w => w.Value > 0).Select(w => w.Key).Order(StringComparer.Ordinal))}";
    }
}
