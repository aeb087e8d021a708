using Grpc.Core;
using Sim.Stack.Host;
using Sim.Stack.Rpc;
using Sim.Stack.Scheduler.Contracts;

namespace Sim.Stack.Scheduler;

/// <summary>
/// One scheduler replica of a party: it campaigns for the lease (<see cref="LeaderElector"/>), keeps a watched view
/// of the store (<see cref="ObjectCache"/>), reconciles while it leads (<see cref="Reconciler"/>), and serves
/// clients: a submit is taken by the leader only (others answer with the holder's name, so the client can retry
/// there); a job's state is served from any replica's view.
/// </summary>
public sealed class SchedulerReplica : Contracts.Scheduler.SchedulerBase
{
    private readonly IHost host;
    private readonly SchedulerOptions options;
    private readonly Store.StoreClient store;
    private readonly ObjectCache cache;

    private SchedulerReplica(IHost host, SchedulerOptions options, SchedulerEndpoints endpoints)
    {
        this.host = host;
        this.options = options;
        store = endpoints.StoreClient(host);
        cache = new ObjectCache(host, store, "", options.RetryPeriod);
        Elector = new LeaderElector(host, options, store);
    }

    public LeaderElector Elector { get; }

    /// <summary>Starts a replica: serve clients, watch the store, campaign and reconcile.</summary>
    public static SchedulerReplica Start(IHost host, string listenAddress, TlsServerOptions? tls, SchedulerOptions options, SchedulerEndpoints endpoints)
    {
        var replica = new SchedulerReplica(host, options, endpoints);
        var server = new RpcServer(host, listenAddress, endpoints.Port, tls);
        server.AddService(Contracts.Scheduler.BindService(replica));
        server.Start();
        host.Spawn("scheduler-watch", replica.cache.WatchAsync);
        host.Spawn("scheduler-elector", replica.Elector.RunAsync);
        host.Spawn("scheduler-reconcile", new Reconciler(host, options, replica.store, replica.cache, replica.Elector).RunAsync);
        return replica;
    }

    public override async Task<SubmitReply> Submit(JobSpec request, ServerCallContext context)
    {
        if (!Elector.Holds(out var epoch))
        {
            throw new RpcException(new Status(StatusCode.FailedPrecondition, $"not the leader; the lease is held by {Elector.ObservedHolder ?? "nobody yet"}"));
        }

        if (JobValidation.Problem(request) is { } problem)
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, $"job {request.Id}: {problem}"));
        }

        // Tasks first, the job last: a job object in the store always has all its tasks. A retried submit finds
        // what an earlier attempt (perhaps of a deposed leader) wrote and keeps it.
        foreach (var spec in request.Tasks)
        {
            var task = new TaskObject { Job = request.Id, Spec = spec, State = TaskState.TaskPending };
            await CreateAsync(StoreKeys.Task(request.Id, spec.Name), task, epoch, context.CancellationToken);
        }

        await CreateAsync(StoreKeys.Job(request.Id), new JobObject { Spec = request, State = JobState.JobRunning, Found = true }, epoch, context.CancellationToken);
        return new SubmitReply { Job = request.Id, AcceptedBy = host.Name, Epoch = epoch };
    }

    public override Task<JobObject> GetJob(JobRef request, ServerCallContext context) =>
        Task.FromResult(cache.Find(StoreKeys.Job(request.Id)) is { } held ? JobObject.Parser.ParseFrom(held.Value) : new JobObject());

    private async Task CreateAsync(string key, Google.Protobuf.IMessage value, long epoch, CancellationToken cancellationToken)
    {
        var bytes = Google.Protobuf.MessageExtensions.ToByteString(value);
        try
        {
            var reply = await store.PutAsync(new PutRequest { Key = key, Value = bytes, ExpectedVersion = 0, Epoch = epoch, Holder = host.Name }, deadline: host.Clock.UtcNow + options.CallTimeout, cancellationToken: cancellationToken);
            cache.Take(new StoredObject { Key = key, Value = bytes, Version = reply.Version, Found = true });
        }
        catch (RpcException e) when (e.StatusCode == StatusCode.Aborted)
        {
            // Already there: written by an earlier try of this submit.
        }
        catch (RpcException e) when (e.StatusCode == StatusCode.FailedPrecondition)
        {
            Elector.StepDown(epoch, $"the store fenced epoch {epoch}: {e.Status.Detail}");
            throw new RpcException(new Status(StatusCode.Unavailable, $"lost the lease while submitting: {e.Status.Detail}"));
        }
    }
}
