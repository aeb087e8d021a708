using Bogus;
using Sim.Stack.Host;
using Sim.Stack.Scheduler;
using Sim.Stack.Scheduler.Contracts;

namespace Sim.Scenarios.SchedulerFailover;

/// <summary>
/// A user of the party: until its end time it submits a Bogus job every so often through the leader-following client,
/// then polls every job it got accepted until each has ended, and reports what it saw.
/// </summary>
public sealed class JobSubmitter
{
    private readonly IHost host;
    private readonly SchedulerClient client;
    private readonly JobWorkload workload;
    private readonly Faker faker;
    private readonly Dictionary<string, JobState?> jobs = new(StringComparer.Ordinal);

    private JobSubmitter(IHost host, SchedulerClient client, Faker faker, JobSizes? sizes = null)
    {
        this.host = host;
        this.client = client;
        this.faker = faker;
        workload = new JobWorkload(faker, host.Name, sizes);
    }

    /// <summary>Accepted jobs and how the client last saw them end (null: not yet).</summary>
    public IReadOnlyDictionary<string, JobState?> Jobs => jobs;

    public int Refused { get; private set; }

    /// <summary>When a one-job user (<see cref="StartOne"/>) began submitting its job; null before.</summary>
    public TimeSpan? SubmittedAt { get; private set; }

    public static JobSubmitter Start(IHost host, SchedulerClient client, Faker faker, TimeSpan until, JobSizes? sizes = null)
    {
        var submitter = new JobSubmitter(host, client, faker, sizes);
        host.Spawn("submit", lifetime => submitter.SubmitAsync(until, lifetime));
        host.Spawn("poll", submitter.PollAsync);
        return submitter;
    }

    /// <summary>A user who submits <paramref name="job"/> once, <paramref name="after"/> its start (retrying for up to 10 s), and polls it until it ends.</summary>
    public static JobSubmitter StartOne(IHost host, SchedulerClient client, JobSpec job, TimeSpan after = default)
    {
        var submitter = new JobSubmitter(host, client, new Faker { Random = new Randomizer(0) });
        host.Spawn("submit", async lifetime =>
        {
            await host.Clock.Delay(after, lifetime);
            submitter.SubmittedAt = host.Clock.Elapsed;
            if (await client.SubmitAsync(job, host.Clock.Elapsed + TimeSpan.FromSeconds(10), lifetime) is { } accepted)
            {
                submitter.jobs[job.Id] = null;
                host.Log.Event(new JobSubmitted(job.Id, job.Tasks.Count, accepted.Reply.AcceptedBy, accepted.Reply.Epoch, accepted.Tries));
            }
        });
        host.Spawn("poll", submitter.PollAsync);
        return submitter;
    }

    private async Task SubmitAsync(TimeSpan until, CancellationToken lifetime)
    {
        while (!lifetime.IsCancellationRequested)
        {
            await host.Clock.Delay(TimeSpan.FromMilliseconds(faker.Random.Int(400, 1400)), lifetime);
            if (host.Clock.Elapsed >= until)
            {
                return;
            }

            var job = workload.Next();
            if (await client.SubmitAsync(job, until, lifetime) is { } accepted)
            {
                jobs[job.Id] = null;
                host.Log.Event(new JobSubmitted(job.Id, job.Tasks.Count, accepted.Reply.AcceptedBy, accepted.Reply.Epoch, accepted.Tries));
            }
            else
            {
                Refused++;
            }
        }
    }

    private async Task PollAsync(CancellationToken lifetime)
    {
        while (!lifetime.IsCancellationRequested)
        {
            await host.Clock.Delay(TimeSpan.FromSeconds(0.5), lifetime);
            foreach (var id in jobs.Where(j => j.Value is null).Select(j => j.Key).ToList())
            {
                if (await client.GetJobAsync(id, lifetime) is { Found: true } seen && seen.State != JobState.JobRunning)
                {
                    jobs[id] = seen.State;
                    host.Log.Event(new JobObserved(id, seen.State, seen.Reason));
                }
            }
        }
    }
}
