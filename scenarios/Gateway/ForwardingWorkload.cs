using Google.Protobuf;
using Sim.Stack.Defects;
using Sim.Stack.Gateway;
using Sim.Stack.Host;

namespace Sim.Scenarios.Gateway;

/// <summary>
/// The forwarding benchmark's workload, the same on any host: one plaintext gateway of party 9999 whose table routes
/// its own <c>fateflow</c> to a job service, and a client that sends <c>total</c> unary calls through it from
/// <c>concurrency</c> callers at once. The loop engine runs it in <see cref="ForwardingBenchScenario"/>; `sim bench`
/// runs it again on the thread pool with no simulation.
/// </summary>
public sealed class ForwardingWorkload
{
    public const string Party = "9999";
    public const int GatewayPort = 9370;
    public const int JobsPort = 9360;

    private readonly TaskCompletionSource finished = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int completed;
    private int failed;

    public int Completed => Volatile.Read(ref completed);

    public int Failed => Volatile.Read(ref failed);

    /// <summary>Completes when every call has ended.</summary>
    public Task Finished => finished.Task;

    /// <summary>The gateway's options: plaintext, no rate limit, no table polling (the table is read once at start).</summary>
    public static GatewayOptions Options(string address) =>
        new(Party, address, GatewayPort, null, _ => null, new Dictionary<string, string>(), [], DefectSet.None) { RatePerSecond = null, ReloadInterval = null };

    /// <summary>The gateway's route_table.json: its own fateflow at the job service.</summary>
    public static string Table(string jobs) =>
        $$$"""{"route_table":{"{{{Party}}}":{"fateflow":[{"ip":"{{{jobs}}}","port":{{{JobsPort}}}}]}},"permission":{"default_allow":true}}""";

    /// <summary>Starts <paramref name="concurrency"/> callers on <paramref name="host"/> sending <paramref name="total"/> calls through the gateway at <paramref name="gateway"/>.</summary>
    public static ForwardingWorkload Start(IHost host, string gateway, int total, int concurrency)
    {
        var workload = new ForwardingWorkload();
        var client = new GatewayClient(host, gateway, GatewayPort, null, Party);
        var next = 0;
        for (var c = 0; c < concurrency; c++)
        {
            host.Spawn($"caller{c}", async lifetime =>
            {
                while (Interlocked.Increment(ref next) is var n && n <= total)
                {
                    try
                    {
                        await client.CallAsync(Party, RouteTables.Fateflow, $"bench-{n}", ByteString.CopyFromUtf8("{\"job\":\"bench\"}"), TimeSpan.FromSeconds(30), lifetime);
                        Interlocked.Increment(ref workload.completed);
                    }
                    catch (Grpc.Core.RpcException)
                    {
                        Interlocked.Increment(ref workload.failed);
                    }

                    if (workload.Completed + workload.Failed == total)
                    {
                        workload.finished.TrySetResult();
                    }
                }
            });
        }

        return workload;
    }
}
