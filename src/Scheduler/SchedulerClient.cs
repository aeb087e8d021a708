using Grpc.Core;
using Sim.Stack.Host;
using Sim.Stack.Rpc;
using Sim.Stack.Scheduler.Contracts;

namespace Sim.Stack.Scheduler;

/// <summary>
/// How a party's users submit jobs: to the leader, whichever replica that is. A replica that does not lead answers
/// with the lease holder's name and the client goes there; a replica that does not answer (dead, paused, cut off) is
/// skipped for the next. Submits are idempotent by job id, so a retry after an unknown outcome is safe.
/// </summary>
public sealed class SchedulerClient
{
    private const string HeldBy = "the lease is held by ";

    private readonly IHost host;
    private readonly IReadOnlyList<string> replicas;
    private readonly Dictionary<string, Contracts.Scheduler.SchedulerClient> channels = new(StringComparer.Ordinal);
    private readonly SchedulerEndpoints endpoints;
    private int next;

    /// <param name="replicas">The replicas' DNS names (which are also their certificate names).</param>
    public SchedulerClient(IHost host, SchedulerEndpoints endpoints, IReadOnlyList<string> replicas)
    {
        this.host = host;
        this.endpoints = endpoints;
        this.replicas = replicas;
    }

    /// <summary>How long one call may take.</summary>
    public TimeSpan CallTimeout { get; init; } = TimeSpan.FromSeconds(0.5);

    /// <summary>How long a client waits between tries unless told otherwise.</summary>
    public static readonly TimeSpan DefaultBackoff = TimeSpan.FromSeconds(0.2);

    /// <summary>How long to wait between tries.</summary>
    public TimeSpan Backoff { get; init; } = DefaultBackoff;

    /// <summary>Submits <paramref name="job"/>, retrying against the leader until it is accepted or <paramref name="until"/> passes.</summary>
    public async Task<(SubmitReply Reply, int Tries)?> SubmitAsync(JobSpec job, TimeSpan until, CancellationToken cancellationToken)
    {
        var target = replicas[next];
        var tries = 0;
        while (host.Clock.Elapsed < until)
        {
            tries++;
            try
            {
                var reply = await Channel(target).SubmitAsync(job, deadline: host.Clock.UtcNow + CallTimeout, cancellationToken: cancellationToken);
                return (reply, tries);
            }
            catch (RpcException e) when (e.StatusCode == StatusCode.FailedPrecondition && e.Status.Detail.Contains(HeldBy, StringComparison.Ordinal))
            {
                var holder = e.Status.Detail[(e.Status.Detail.IndexOf(HeldBy, StringComparison.Ordinal) + HeldBy.Length)..];
                target = replicas.Contains(holder, StringComparer.Ordinal) && holder != target ? holder : Rotate();
            }
            catch (RpcException e) when (e.StatusCode is StatusCode.Unavailable or StatusCode.DeadlineExceeded or StatusCode.Cancelled)
            {
                target = Rotate();
            }

            await host.Clock.Delay(Backoff, cancellationToken);
        }

        host.Log.Event(new SubmitGaveUp(job.Id, tries));
        return null;
    }

    /// <summary>The job as some replica sees it (rotating past replicas that do not answer); null if none answered.</summary>
    public async Task<JobObject?> GetJobAsync(string id, CancellationToken cancellationToken)
    {
        for (var i = 0; i < replicas.Count; i++)
        {
            try
            {
                return await Channel(replicas[next]).GetJobAsync(new JobRef { Id = id }, deadline: host.Clock.UtcNow + CallTimeout, cancellationToken: cancellationToken);
            }
            catch (RpcException)
            {
                Rotate();
            }
        }

        return null;
    }

    private string Rotate()
    {
        next = (next + 1) % replicas.Count;
        return replicas[next];
    }

    private Contracts.Scheduler.SchedulerClient Channel(string replica) =>
        channels.TryGetValue(replica, out var client) ? client
        : channels[replica] = new Contracts.Scheduler.SchedulerClient(new RpcChannel(host, replica, endpoints.Port, endpoints.Dial(replica)));
}
