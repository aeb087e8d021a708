using Google.Protobuf;
using Grpc.Core;
using Sim.Stack.Host;
using Sim.Stack.Rpc;
using Sim.Stack.Scheduler;
using Sim.Stack.Scheduler.Contracts;

namespace Sim.Scenarios.SchedulerFailover;

/// <summary>
/// A process of the party with a valid certificate that is neither replica nor worker, probing every write rule of
/// the store and the submit rules of the leader, at both edges: it may read the lease (allowed) but not write as the
/// lease's holder (a forged holder id), at the lease's epoch, one below or one above, nor take the lease, nor write
/// another worker's heartbeat or report, nor a key no one writes; a valid one-task job is accepted, a job with a
/// dependency cycle or maxParallelism 0 is refused as invalid.
/// </summary>
public sealed class Intruder(IHost host, Store.StoreClient store, SchedulerClient scheduler)
{
    /// <summary>The intruder's process name.</summary>
    public const string Name = "intruder";

    /// <summary>How many probes a round makes (<see cref="RoundAsync"/>: the lease read, eight writes, three submits).</summary>
    public const int ProbeCount = 12;

    public static Intruder Start(IHost host, Live me, IReadOnlyList<string> replicas, IReadOnlyList<TimeSpan> rounds)
    {
        var endpoints = SchedulerTopology.Endpoints(me);
        var store = endpoints.StoreClient(host);
        var intruder = new Intruder(host, store, new SchedulerClient(host, endpoints, replicas));
        host.Spawn("probe", async lifetime =>
        {
            var round = 0;
            foreach (var at in rounds)
            {
                await host.Clock.Delay(at - host.Clock.Elapsed, lifetime);
                await intruder.RoundAsync(++round, lifetime);
            }
        });
        return intruder;
    }

    private async Task RoundAsync(int round, CancellationToken lifetime)
    {
        var lease = await Try("read the lease", StatusCode.OK, async () => await store.GetAsync(new GetRequest { Key = StoreKeys.Lease }, deadline: Deadline(), cancellationToken: lifetime));
        if (lease is not { Found: true })
        {
            return;
        }

        var record = LeaseRecord.Parser.ParseFrom(lease.Value);
        var task = new TaskObject { Job = "intruder", Spec = new TaskSpec { Name = "x", Cpus = 1 }, State = TaskState.TaskRunning, Worker = "intruder" }.ToByteString();
        await Write("write a task as the lease holder (forged holder id)", StoreKeys.Task("intruder", "x"), task, record.Epoch, record.Holder, lifetime);
        await Write("write a task at the lease's epoch", StoreKeys.Task("intruder", "x"), task, record.Epoch, host.Name, lifetime);
        await Write("write a task at a stale epoch", StoreKeys.Task("intruder", "x"), task, record.Epoch - 1, host.Name, lifetime);
        await Write("write a task at a future epoch", StoreKeys.Task("intruder", "x"), task, record.Epoch + 1, host.Name, lifetime);
        var grab = new LeaseRecord(record) { Holder = host.Name, Epoch = record.Epoch + 1 }.ToByteString();
        await Write("take the lease", StoreKeys.Lease, grab, record.Epoch + 1, host.Name, lifetime, lease.Version);
        await Write("take the lease in the holder's name", StoreKeys.Lease, new LeaseRecord(record) { Epoch = record.Epoch + 1 }.ToByteString(), record.Epoch + 1, host.Name, lifetime, lease.Version);
        await Write("write another worker's heartbeat", StoreKeys.Beat("worker0"), new WorkerBeat { Worker = "worker0", Cpus = 64, Sequence = 1 }.ToByteString(), 0, "worker0", lifetime);
        await Write("write another worker's report", StoreKeys.Report("worker0", "intruder", "x", 1), new TaskReport { Job = "intruder", Task = "x", Attempt = 1, Succeeded = true }.ToByteString(), 0, host.Name, lifetime);
        await Write("write a key no one writes", "config/intruder", ByteString.CopyFromUtf8("x"), 0, host.Name, lifetime);
        await SubmitAsync("submit a valid one-task job", StatusCode.OK, Job(round, "ok", 1, []), lifetime);
        await SubmitAsync("submit a job with a dependency cycle", StatusCode.InvalidArgument, Job(round, "cycle", 1, ["t0"]), lifetime);
        await SubmitAsync("submit a job with maxParallelism 0", StatusCode.InvalidArgument, Job(round, "zero", 0, []), lifetime);
    }

    private async Task Write(string probe, string key, ByteString value, long epoch, string holder, CancellationToken lifetime, long expected = -1) =>
        await Try(probe, StatusCode.PermissionDenied, async () => await store.PutAsync(new PutRequest { Key = key, Value = value, Epoch = epoch, Holder = holder, ExpectedVersion = expected }, deadline: Deadline(), cancellationToken: lifetime));

    private async Task SubmitAsync(string probe, StatusCode expected, JobSpec job, CancellationToken lifetime) =>
        await Try(probe, expected, async () => (await scheduler.SubmitAsync(job, host.Clock.Elapsed + TimeSpan.FromSeconds(3), lifetime))?.Reply ?? throw new RpcException(new Status(StatusCode.Unavailable, "no leader answered")));

    private Task<T?> Try<T>(string probe, StatusCode expected, Func<Task<T>> call)
        where T : class => Try(host, probe, expected, call);

    /// <summary>Runs one probe and reports its answer; an unreachable server (a fault) is no answer and is not reported.</summary>
    internal static async Task<T?> Try<T>(IHost host, string probe, StatusCode expected, Func<Task<T>> call)
        where T : class
    {
        try
        {
            var result = await call();
            host.Log.Event(new ProbeAnswered(probe, expected, StatusCode.OK, ""));
            return result;
        }
        catch (RpcException e) when (e.StatusCode is not (StatusCode.Unavailable or StatusCode.DeadlineExceeded or StatusCode.Cancelled))
        {
            host.Log.Event(new ProbeAnswered(probe, expected, e.StatusCode, e.Status.Detail));
            return null;
        }
        catch (RpcException)
        {
            return null;
        }
    }

    private static JobSpec Job(int round, string what, int parallelism, IReadOnlyList<string> dependsOn)
    {
        var job = new JobSpec { Id = $"intruder-{round}-{what}", MaxParallelism = parallelism, Client = "intruder" };
        var task = new TaskSpec { Name = "t0", Cpus = 1, DurationMs = 100 };
        task.DependsOn.AddRange(dependsOn);
        job.Tasks.Add(task);
        return job;
    }

    private DateTime Deadline() => host.Clock.UtcNow + TimeSpan.FromSeconds(0.5);
}
