using Bogus;
using Grpc.Core;
using Sim.Stack.Fleet;
using Sim.Stack.Fleet.Contracts;
using Sim.Stack.Host;
using Sim.Stack.Rpc;

namespace Sim.Scenarios.Fleet;

/// <summary>
/// Whoever submits work (Flower's ServerApp through the Driver API): every second it asks which nodes are online,
/// pushes each a task, and reads back every result it is owed, checking the value; a task whose result has not
/// come within <see cref="GiveUpAfter"/> is given up. A run the coordinator lost (an in-memory restart) is created
/// again. Everything it learns it reports as a typed event, so the accounting is judged from the side that asked.
/// </summary>
public sealed class FleetDriver
{
    public static readonly TimeSpan GiveUpAfter = TimeSpan.FromSeconds(15);

    private readonly IHost host;
    private readonly Faker faker;
    private readonly Driver.DriverClient driver;
    private readonly Dictionary<string, (SubmittedTask Task, TimeSpan At)> owed = new(StringComparer.Ordinal);
    private long? run;
    private int task;

    private FleetDriver(IHost host, Faker faker, Live coordinator)
    {
        this.host = host;
        this.faker = faker;
        driver = new Driver.DriverClient(new RpcChannel(host, coordinator.DnsName, coordinator.Port, coordinator.ClientTls));
    }

    public int Read { get; private set; }

    public int Abandoned { get; private set; }

    public static FleetDriver Start(IHost host, Faker faker, Live coordinator)
    {
        var d = new FleetDriver(host, faker, coordinator);
        host.Spawn("driver", d.RunAsync);
        return d;
    }

    public override string ToString() => $"{Read} result(s) read back, {owed.Count} owed, {Abandoned} given up";

    private DateTime Deadline => host.Clock.UtcNow.AddSeconds(1);

    private async Task RunAsync(CancellationToken lifetime)
    {
        while (!lifetime.IsCancellationRequested)
        {
            await host.Clock.Delay(TimeSpan.FromSeconds(1), lifetime);
            await SubmitAsync();
            await ReadBackAsync();
            GiveUp();
        }
    }

    private async Task SubmitAsync()
    {
        var push = new DriverPushTaskInsRequest();
        try
        {
            run ??= (await driver.CreateRunAsync(new CreateRunRequest { Fab = faker.Hacker.Abbreviation() }, deadline: Deadline)).RunId;
            var online = await driver.GetNodesAsync(new GetNodesRequest { RunId = run.Value }, deadline: Deadline);
            foreach (var node in online.Nodes)
            {
                var ins = new TaskIns { TaskId = $"t{++task}", RunId = run.Value, NodeId = node.NodeId, Operation = faker.PickRandom("sum-of-squares", "max", "sum") };
                // Up to four inputs, sometimes none: a task with no input has a result too (0 for each operation).
                ins.Inputs.AddRange(Enumerable.Range(0, faker.Random.Int(0, 4)).Select(_ => (long)faker.Random.Int(-100, 100)));
                push.TaskInsList.Add(ins);
            }

            if (push.TaskInsList.Count == 0)
            {
                return;
            }

            var submitted = push.TaskInsList.Select(t => new SubmittedTask(t.TaskId, t.RunId, t.NodeId, Expected(t.Operation, t.Inputs))).ToList();
            host.Log.Event(new TasksSubmitted(submitted));
            foreach (var t in submitted)
            {
                // Owed until read or given up: a push whose answer was lost may still have queued them.
                owed[t.Task] = (t, host.Clock.Elapsed);
            }

            var queued = await driver.PushTaskInsAsync(push, deadline: Deadline);
            foreach (var t in submitted.Where(t => !queued.TaskIds.Contains(t.Task)))
            {
                owed.Remove(t.Task); // refused: the node went offline
            }
        }
        catch (RpcException e)
        {
            host.Log.Event(new DriverCallFailed(push.TaskInsList.Count > 0 ? "PushTaskIns" : "Submit", e.StatusCode, e.Status.Detail, run ?? 0, [.. push.TaskInsList.Select(t => t.TaskId)]));
            if (e.StatusCode == StatusCode.NotFound)
            {
                run = null; // a coordinator restart lost the run: start a new one
            }
        }
    }

    /// <summary>The result a task must come back with, computed here, not by the stack's code: the driver checks the nodes' arithmetic.</summary>
    private static long Expected(string operation, IReadOnlyList<long> inputs) => operation switch
    {
        "sum-of-squares" => inputs.Aggregate(0L, (sum, x) => sum + (x * x)),
        "max" => inputs.Count == 0 ? 0 : inputs.Aggregate(long.MinValue, Math.Max),
        _ => inputs.Aggregate(0L, (sum, x) => sum + x),
    };

    private async Task ReadBackAsync()
    {
        if (owed.Count == 0)
        {
            return;
        }

        var ask = new DriverPullTaskResRequest { RunId = run ?? 0 };
        ask.TaskIds.AddRange(owed.Keys.Order(StringComparer.Ordinal));
        try
        {
            var results = await driver.PullTaskResAsync(ask, deadline: Deadline);
            foreach (var result in results.TaskResList)
            {
                if (owed.Remove(result.TaskId))
                {
                    Read++;
                }

                host.Log.Event(new ResultRead(result.TaskId, result.NodeId, result.Result));
            }
        }
        catch (RpcException e)
        {
            host.Log.Event(new DriverCallFailed("PullTaskRes", e.StatusCode, e.Status.Detail, run ?? 0, [.. ask.TaskIds]));
        }
    }

    private void GiveUp()
    {
        foreach (var (id, (_, at)) in owed.Where(o => host.Clock.Elapsed - o.Value.At >= GiveUpAfter).ToList())
        {
            owed.Remove(id);
            Abandoned++;
            host.Log.Event(new TaskAbandoned(id, host.Clock.Elapsed - at));
        }
    }
}
