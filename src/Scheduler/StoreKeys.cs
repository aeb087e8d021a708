using System.Globalization;

namespace Sim.Stack.Scheduler;

/// <summary>The store's key space, and who may write where.</summary>
public static class StoreKeys
{
    /// <summary>The lease object (client-go's Lease, here with a fencing epoch).</summary>
    public const string Lease = "lease/scheduler";

    public const string Jobs = "jobs/";
    public const string Tasks = "tasks/";
    public const string Health = "health/";
    public const string Workers = "workers/";
    public const string Reports = "reports/";

    /// <summary>Prefixes only the lease holder writes, at its epoch (fenced).</summary>
    public static IReadOnlyList<string> Fenced { get; } = [Jobs, Tasks, Health];

    public static bool IsFenced(string key) => Fenced.Any(p => key.StartsWith(p, StringComparison.Ordinal));

    public static string Job(string id) => Jobs + id;

    public static string Task(string job, string task) => $"{Tasks}{job}/{task}";

    public static string HealthOf(string worker) => Health + worker;

    public static string Beat(string worker) => Workers + worker;

    public static string Report(string worker, string job, string task, int attempt) =>
        $"{Reports}{worker}/{job}/{task}/{attempt.ToString(CultureInfo.InvariantCulture)}";

    /// <summary>The worker a worker-owned key (<c>workers/w</c>, <c>reports/w/…</c>) belongs to, or null for another key.</summary>
    public static string? OwnerOf(string key)
    {
        if (key.StartsWith(Workers, StringComparison.Ordinal))
        {
            return key[Workers.Length..];
        }

        if (key.StartsWith(Reports, StringComparison.Ordinal))
        {
            var rest = key[Reports.Length..];
            var slash = rest.IndexOf('/', StringComparison.Ordinal);
            return slash > 0 ? rest[..slash] : null;
        }

        return null;
    }
}
