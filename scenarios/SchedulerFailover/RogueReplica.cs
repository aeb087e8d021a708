using Google.Protobuf;
using Grpc.Core;
using Sim.Stack.Host;
using Sim.Stack.Rpc;
using Sim.Stack.Scheduler;
using Sim.Stack.Scheduler.Contracts;

namespace Sim.Scenarios.SchedulerFailover;

/// <summary>
/// A replica the store trusts whose election is broken (a bad build, a restored snapshot of another's state): it never
/// campaigns, it writes what a confused leader would, at both edges of every lease and fencing rule. Before any lease
/// exists it writes a task (fenced: no lease yet); then, reading the lease each round, it writes a lease record that is
/// not one, one naming the holder in its own write, one skipping epochs and one "renewing" the holder's epoch in its
/// own name (all refused: a new term takes exactly the next epoch, in the caller's name), and tasks at the epoch
/// below the lease's, two above it and at the lease's own epoch without holding it (all fenced), and one with a
/// compare-and-swap on a version the key never had (a conflict). Every answer is a <see cref="ProbeAnswered"/> with the
/// status the rules give (<see cref="ProbeChecker"/>), and every refusal's reason is judged by <see cref="StoreRules"/>.
/// </summary>
public sealed class RogueReplica(IHost host, Store.StoreClient store)
{
    public const string Name = "replica-rogue";

    public static RogueReplica Start(IHost host, Live me, IReadOnlyList<TimeSpan> rounds)
    {
        var rogue = new RogueReplica(host, SchedulerTopology.Endpoints(me).StoreClient(host));
        host.Spawn("probe", async lifetime =>
        {
            await rogue.Write("write a task before any lease", Task(), 1, StatusCode.FailedPrecondition, lifetime);
            foreach (var at in rounds)
            {
                await host.Clock.Delay(at - host.Clock.Elapsed, lifetime);
                await rogue.RoundAsync(lifetime);
            }
        });
        return rogue;
    }

    private async Task RoundAsync(CancellationToken lifetime)
    {
        var lease = await Intruder.Try(host, "read the lease as a replica", StatusCode.OK, async () => await store.GetAsync(new GetRequest { Key = StoreKeys.Lease }, deadline: Deadline(), cancellationToken: lifetime));
        if (lease is not { Found: true })
        {
            return;
        }

        var held = LeaseRecord.Parser.ParseFrom(lease.Value);
        var mine = new LeaseRecord(held) { Holder = host.Name };

        // A length-delimited field whose length runs past the end: no protobuf parser takes it.
        await Lease("write a lease that is not a lease record", ByteString.CopyFrom(0x0A, 0x7F), StatusCode.InvalidArgument, lifetime);
        await Lease("write a lease naming the holder", new LeaseRecord(held) { Epoch = held.Epoch + 1 }.ToByteString(), StatusCode.PermissionDenied, lifetime);
        // Far ahead: a term or two may pass while the round runs, and the next epoch after those would be a real term.
        await Lease("take the lease skipping epochs", new LeaseRecord(mine) { Epoch = held.Epoch + 100 }.ToByteString(), StatusCode.FailedPrecondition, lifetime);
        await Lease("renew the holder's epoch in its own name", mine.ToByteString(), StatusCode.FailedPrecondition, lifetime);
        await Write("write a task at the epoch below the lease's", Task(), held.Epoch - 1, StatusCode.FailedPrecondition, lifetime);
        await Write("write a task two epochs above the lease's", Task(), held.Epoch + 2, StatusCode.FailedPrecondition, lifetime);
        await Write("write a task at the lease's epoch without holding it", Task(), held.Epoch, StatusCode.FailedPrecondition, lifetime);
        await Write("write a task on a version it never had", Task(), held.Epoch, StatusCode.Aborted, lifetime, version: 7);
    }

    private async Task Lease(string probe, ByteString value, StatusCode expected, CancellationToken lifetime) =>
        await Put(probe, StoreKeys.Lease, value, 0, expected, lifetime, -1);

    private async Task Write(string probe, ByteString value, long epoch, StatusCode expected, CancellationToken lifetime, long version = -1) =>
        await Put(probe, StoreKeys.Task("rogue", "x"), value, epoch, expected, lifetime, version);

    private async Task Put(string probe, string key, ByteString value, long epoch, StatusCode status, CancellationToken lifetime, long version) =>
        await Intruder.Try(host, probe, status, async () => await store.PutAsync(new PutRequest { Key = key, Value = value, Epoch = epoch, Holder = host.Name, ExpectedVersion = version }, deadline: Deadline(), cancellationToken: lifetime));

    private static ByteString Task() =>
        new TaskObject { Job = "rogue", Spec = new TaskSpec { Name = "x", Cpus = 1 }, State = TaskState.TaskPending }.ToByteString();

    private DateTime Deadline() => host.Clock.UtcNow + TimeSpan.FromSeconds(0.5);
}
