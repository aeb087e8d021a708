#pragma warning disable RS0030 // The floor of the forwarding benchmark runs on the real thread pool on purpose.
using System.Diagnostics;
using Sim.Engine;
using Sim.Scenarios.Gateway;
using Sim.Stack.Defects;
using Sim.Stack.Gateway;

namespace Sim.Bench;

/// <summary>
/// `sim bench --engine gateway`: requests forwarded per wall second through one site gateway (client → gateway → job
/// service, plaintext, no faults) in the loop engine, against the same gateway, client and job service code on the
/// thread pool with no simulation (<see cref="DirectHost"/> with real timers). One run of each.
/// </summary>
public static class GatewayBenchmark
{
    public const int Requests = 4000;
    public const int Concurrency = 8;

    public static IEnumerable<Figure> Run(Action<string> progress)
    {
        // Warm the JIT on a short run so the measured run is not charged for it.
        Simulation.Run(new ForwardingBenchScenario(200, Concurrency), new RunConfig("gateway-forwarding", 1, "random", DefectSet.None, KeepEventLog: false));

        progress($"loop engine: {Requests} calls through one gateway, {Concurrency} at a time, one run");
        var scenario = new ForwardingBenchScenario(Requests, Concurrency);
        var started = Stopwatch.GetTimestamp();
        var result = Simulation.Run(scenario, new RunConfig("gateway-forwarding", 1, "random", DefectSet.None, KeepEventLog: false));
        var loopWall = Stopwatch.GetElapsedTime(started);
        if (result.IsBug)
        {
            throw new InvalidOperationException($"the forwarding workload failed its invariant: {result.Violation}");
        }

        // The run goes on to its horizon after the last call; the calls' own wall time is what the client measured.
        var loopRate = Requests / loopWall.TotalSeconds;
        progress($"thread-pool floor: the same {Requests} calls, same code, real thread pool, no simulation, one run");
        var floorRate = ThreadPoolForwardsPerSecond();
        yield return new Figure("gateway.loop_forwards_per_second", Math.Round(loopRate), "req/s", $"{Requests} unary calls client -> gateway -> job service, {Concurrency} at a time, one loop-engine run ({loopWall.TotalSeconds:F2} s wall, {result.Steps} steps)");
        yield return new Figure("gateway.threadpool_forwards_per_second", Math.Round(floorRate), "req/s", "the same gateway, client and job service code on the real thread pool, in-memory network, no simulation, one run");
        yield return new Figure("gateway.loop_vs_threadpool_ratio", Math.Round(loopRate / floorRate, 3), "ratio", "loop forwards/s divided by thread-pool forwards/s (1.0 = as fast as no simulation)");
    }

    private static double ThreadPoolForwardsPerSecond()
    {
        var network = new DirectNetwork(new Dictionary<string, string>(StringComparer.Ordinal) { ["jobs"] = "jobs", ["gw"] = "gw", ["client"] = "client" });
        using var stop = new CancellationTokenSource();
        var jobs = new DirectHost("jobs", network, stop.Token) { RealTimers = true };
        var gateway = new DirectHost("gw", network, stop.Token) { RealTimers = true };
        var client = new DirectHost("client", network, stop.Token) { RealTimers = true };
        var options = ForwardingWorkload.Options("gw");
        gateway.Write(options.RouteTableKey, System.Text.Encoding.UTF8.GetBytes(ForwardingWorkload.Table("jobs")));
        Started(jobs, () => JobService.Start(jobs, ForwardingWorkload.Party, "jobs", ForwardingWorkload.JobsPort, null));
        Started(gateway, () => SiteGateway.Start(gateway, options));

        // The gateway's start loop was posted to its serialized context: once this no-op runs after it, it listens.
        Started(gateway, () => 0);
        var started = Stopwatch.GetTimestamp();
        var workload = Started(client, () => ForwardingWorkload.Start(client, "gw", Requests, Concurrency));
        if (!workload.Finished.Wait(TimeSpan.FromSeconds(120)))
        {
            throw new InvalidOperationException($"the thread-pool floor forwarded only {workload.Completed} of {Requests} calls in 120 s");
        }

        var elapsed = Stopwatch.GetElapsedTime(started);
        stop.Cancel();
        return workload.Failed == 0
            ? workload.Completed / elapsed.TotalSeconds
            : throw new InvalidOperationException($"the thread-pool floor saw {workload.Failed} failed calls");
    }

    /// <summary>Runs <paramref name="start"/> inside <paramref name="host"/>'s context and waits for it.</summary>
    private static T Started<T>(DirectHost host, Func<T> start)
    {
        T? value = default;
        using var ready = new ManualResetEventSlim();
        host.Post(() =>
        {
            value = start();
            ready.Set();
        });
        ready.Wait();
        return value!;
    }
}
