#pragma warning disable RS0030 // Benchmarks measure wall time and run the thread-pool floor on purpose.
using System.Diagnostics;
using Sim.Engine;
using Sim.Engine.Coyote;
using Sim.Scenarios;
using Sim.Scenarios.Fleet;
using Sim.Scenarios.Heartbeat;
using Sim.Scenarios.Register;
using Sim.Stack.Defects;
using Sim.Stack.Heartbeat;
using Sim.Testing;
using Sim.Worlds;

namespace Sim.Bench;

/// <summary>One measured figure.</summary>
public sealed record Figure(string Name, double Value, string Unit, string Note = "");

/// <summary>The figures `sim bench` prints. Each is the median of repeated measurements taken in one run.</summary>
public static class Benchmarks
{
    private const int HeartbeatNodes = 20;
    private static readonly TimeSpan HeartbeatHorizon = TimeSpan.FromMinutes(10);

    public static IEnumerable<Figure> Run(int seeds, Action<string> progress, string engines = "all")
    {
        if (engines is "all" or "loop")
        {
            foreach (var figure in Loop(seeds, progress))
            {
                yield return figure;
            }
        }

        if (engines is "all" or "coyote")
        {
            foreach (var figure in Coyote(Math.Min(seeds, 5), progress))
            {
                yield return figure;
            }
        }

        if (engines is "all" or "fleet")
        {
            foreach (var figure in Fleet(Math.Min(seeds, 5), progress))
            {
                yield return figure;
            }
        }

        // Not part of "all": the site gateway's forwarding figure (sim bench --engine gateway).
        if (engines is "gateway")
        {
            foreach (var figure in GatewayBenchmark.Run(progress))
            {
                yield return figure;
            }
        }

        // Not part of "all": ECDH-PSI items per wall second, loop engine vs no simulation, and the curve floor (sim bench --engine psi).
        if (engines is "psi")
        {
            foreach (var figure in PsiBenchmark.Run(progress))
            {
                yield return figure;
            }
        }

        // Not part of "all": replicated schedulers' failover time over 200 seeds and jobs per virtual minute (sim bench --engine scheduler).
        if (engines is "scheduler")
        {
            foreach (var figure in SchedulerBenchmark.Run(progress))
            {
                yield return figure;
            }
        }

        // Not part of "all": it starts worker processes of its own.
        if (engines is "campaign")
        {
            foreach (var figure in CampaignBenchmark.Run(progress))
            {
                yield return figure;
            }
        }
    }

    /// <summary>The fleet-restart scenario: time compression with 10 nodes, and how fast each engine finds stale-node-mapping.</summary>
    public static IEnumerable<Figure> Fleet(int seeds, Action<string> progress)
    {
        progress("fleet: 10 nodes, 10 virtual minutes, loop engine, 3 runs");
        var runs = Enumerable.Range(1, 3)
            .Select(seed => Simulation.Run(new FleetRestartScenario(nodes: 10, horizon: TimeSpan.FromMinutes(10)), new RunConfig("fleet-restart", (ulong)seed, "random", DefectSet.None, KeepEventLog: false)))
            .ToList();
        if (runs.FirstOrDefault(r => r.IsBug) is { } failed)
        {
            throw new InvalidOperationException($"fleet-restart without defects failed: {failed.Violation}");
        }

        yield return new Figure("fleet.loop.time_compression", Math.Round(Median(runs.Select(r => r.TimeCompression))), "x", $"10 nodes x 600 virtual s, median of {runs.Count} ({Median(runs.Select(r => r.WallTime.TotalMilliseconds)):F0} ms wall)");

        var staleNodeMapping = DefectCatalogue.Find(DefectCatalogue.StaleNodeMapping)!;
        foreach (var strategy in RunConfig.Strategies)
        {
            progress($"fleet: loop ({strategy}) against {DefectCatalogue.StaleNodeMapping}, {seeds} seeds");
            var found = Enumerable.Range(0, seeds)
                .Select(k => DefectHunt.Run(staleNodeMapping, "loop", strategy, (ulong)(1 + (k * 1000)), 200))
                .Where(h => h.Found)
                .ToList();
            foreach (var figure in Finding($"fleet.loop.{strategy}.stale_node_mapping", seeds, "budget 200", [.. found.Select(h => (h.Iterations, h.Wall))]))
            {
                yield return figure;
            }
        }

        foreach (var strategy in CoyoteEngine.Strategies)
        {
            progress($"fleet: coyote ({strategy}) against {DefectCatalogue.StaleNodeMapping}, {seeds} seeds");
            var found = Enumerable.Range(0, seeds)
                .Select(k => DefectHunt.Run(staleNodeMapping, "coyote", strategy, (ulong)(1 + (k * 1000)), 10))
                .Where(h => h.Found)
                .ToList();
            foreach (var figure in Finding($"fleet.coyote.{strategy}.stale_node_mapping", seeds, "budget 10 iterations", [.. found.Select(h => (h.Iterations, h.Wall))]))
            {
                yield return figure;
            }
        }
    }

    /// <summary>The Coyote engine: iteration rate, the world's overhead per scheduling step, bug finding per strategy, replay.</summary>
    public static IEnumerable<Figure> Coyote(int seeds, Action<string> progress)
    {
        var register = ScenarioCatalog.Find("register")!;
        progress("coyote: warm-up, one register iteration and one ping-pong");
        var warm = CleanRegister(register, 1);
        var (_, warmPingSteps, _) = CoyoteEngine.PingPong(PingPongMessages(warm));
        var pingStepsPerIteration = Math.Max(1.0, warmPingSteps);

        // Each measured run pairs one register iteration with a plain ping-pong right after it, so both see
        // the same load of this shared machine; the figures are medians over the pairs.
        const int Pairs = 3;
        var pairs = new List<(CoyoteOutcome World, TimeSpan PingWall, long PingSteps, long PingOperations, uint PingIterations)>();
        for (var i = 0; i < Pairs; i++)
        {
            progress($"coyote: register without defects, 1 iteration (random, seed {i + 1}), then the ping-pong baseline ({i + 1} of {Pairs})");
            var world = CleanRegister(register, (ulong)(i + 1));
            var iterations = (uint)Math.Max(1, Math.Round(world.SchedulingSteps / pingStepsPerIteration));
            var (pingWall, pingSteps, pingOperations) = CoyoteEngine.PingPong(PingPongMessages(world), iterations);
            pairs.Add((world, pingWall, pingSteps, pingOperations, iterations));
        }

        var worldWall = pairs.Sum(p => p.World.WallTime.TotalSeconds);
        yield return new Figure("coyote.register.iterations_per_second", Math.Round(Pairs / worldWall, 3), "iterations/s", $"{Pairs} iterations (seeds 1..{Pairs}, after a warm-up one) in {worldWall:F1} s");
        var worldPerStep = Median(pairs.Select(p => p.World.WallTime.TotalMicroseconds / p.World.SchedulingSteps));
        yield return new Figure("coyote.register.us_per_step", Math.Round(worldPerStep, 1), "us",
            $"median of {Pairs} iterations; per iteration {Median(pairs.Select(p => (double)p.World.SchedulingSteps)):F0} scheduling decisions, {Median(pairs.Select(p => (double)p.World.ControlledOperations)):F0} controlled operations, {Median(pairs.Select(p => (double)p.World.FramesDelivered)):F0} frames");
        yield return new Figure("coyote.register.ms_per_iteration", Math.Round(Median(pairs.Select(p => p.World.WallTime.TotalMilliseconds))), "ms", $"median of {Pairs} iterations (independent of how the world's work splits into decisions)");
        var baselinePerStep = Median(pairs.Select(p => p.PingWall.TotalMicroseconds / p.PingSteps));
        var first = pairs[0];
        yield return new Figure("coyote.pingpong.us_per_step", Math.Round(baselinePerStep, 1), "us",
            $"median of {Pairs}; each {first.PingIterations} iterations of {PingPongMessages(first.World)} messages (the frames of the paired register iteration) = {first.PingSteps} decisions, {first.PingOperations / first.PingIterations} controlled operations per iteration");
        yield return new Figure("coyote.world_overhead_ratio", Math.Round(Median(pairs.Select(p => (p.World.WallTime.TotalMicroseconds / p.World.SchedulingSteps) / (p.PingWall.TotalMicroseconds / p.PingSteps))), 3), "ratio",
            $"median over {Pairs} pairs of: register's wall time per scheduling decision / a plain ping-pong's, run right after it over as many decisions, each ping-pong iteration exchanging as many messages as the register iteration delivered frames (aim <= 1.5). " +
            "Not like for like: every ping-pong decision hands over between two threads, while many of the world's are value choices and clock yields that switch no thread");

        var buggy = new DefectSet([DefectCatalogue.AckBeforeFlush]);
        CoyoteOutcome? sample = null;
        foreach (var strategy in CoyoteEngine.Strategies)
        {
            progress($"coyote: {strategy} against {DefectCatalogue.AckBeforeFlush}, {seeds} seeds, budget 20 iterations each");
            var outcomes = Enumerable.Range(0, seeds)
                .Select(k => CoyoteEngine.Explore(register, new RunConfig("register", (ulong)(1 + (k * 1000)), strategy, buggy), new CoyoteOptions(strategy, 20)))
                .ToList();
            var found = outcomes.Where(o => o.Violation is not null).ToList();
            sample ??= found.FirstOrDefault();
            foreach (var figure in Finding($"coyote.{strategy}.ack_before_flush", seeds, "budget 20 iterations", [.. found.Select(o => (o.Iterations, o.WallTime))]))
            {
                yield return figure;
            }
        }

        if (sample is not null)
        {
            progress("coyote: replaying one finding");
            var config = new RunConfig("register", 1, "random", buggy);
            var replay = CoyoteEngine.Replay(register, config, new CoyoteOptions("random", 1), sample.ReproducibleTrace!);
            yield return new Figure("coyote.replay_vs_finding_iteration", Math.Round(replay.LastIterationWallTime.TotalSeconds / sample.LastIterationWallTime.TotalSeconds, 3), "ratio",
                $"replay {replay.LastIterationWallTime.TotalMilliseconds:F0} ms vs the finding iteration {sample.LastIterationWallTime.TotalMilliseconds:F0} ms (same hash: {replay.Hash == sample.Hash})");
        }
    }

    private static CoyoteOutcome CleanRegister(Scenario register, ulong seed)
    {
        var run = CoyoteEngine.Explore(register, new RunConfig("register", seed, "random", DefectSet.None), new CoyoteOptions("random", 1));
        return run.IsBug ? throw new InvalidOperationException($"register without defects failed under Coyote: {run.Summary()}") : run;
    }

    private static int PingPongMessages(CoyoteOutcome world) => (int)Math.Max(2, world.FramesDelivered);

    /// <summary>The loop engine: time compression, scheduling rate against the thread pool, bug finding, memory.</summary>
    public static IEnumerable<Figure> Loop(int seeds, Action<string> progress)
    {
        // Warm the JIT on a short run so the first measured run is not charged for it.
        Simulation.Run(new HeartbeatScenario(HeartbeatNodes, TimeSpan.FromSeconds(20)), new RunConfig("heartbeat", 1, "random", DefectSet.None, KeepEventLog: false));

        progress($"loop engine: {HeartbeatNodes} processes, gRPC heartbeats once a virtual second for {HeartbeatHorizon.TotalMinutes} virtual minutes, 5 runs");
        var allocatedBefore = GC.GetTotalAllocatedBytes(precise: true);
        var runs = new List<(RunResult Result, long Beats)>();
        for (var i = 0; i < 5; i++)
        {
            var scenario = new HeartbeatScenario(HeartbeatNodes, HeartbeatHorizon);
            var result = Simulation.Run(scenario, new RunConfig("heartbeat", (ulong)(i + 1), "random", DefectSet.None, KeepEventLog: false));
            if (result.IsBug)
            {
                throw new InvalidOperationException($"the benchmark workload failed its invariant: {result.Violation}");
            }

            runs.Add((result, scenario.Nodes.Values.Sum(n => n.Acknowledged)));
        }

        var allocatedPerRun = (GC.GetTotalAllocatedBytes(precise: true) - allocatedBefore) / runs.Count;
        var peak = Process.GetCurrentProcess().PeakWorkingSet64;
        var compression = Median(runs.Select(r => r.Result.TimeCompression));
        var stepsPerSecond = Median(runs.Select(r => r.Result.Steps / r.Result.WallTime.TotalSeconds));
        var loopBeatsPerSecond = Median(runs.Select(r => r.Beats / r.Result.WallTime.TotalSeconds));
        var beats = runs[0].Beats;
        yield return new Figure("loop.time_compression", Math.Round(compression), "x", $"virtual seconds per wall second (median of {runs.Count}; target >= 1000)");
        yield return new Figure("loop.run_wall_ms", Math.Round(Median(runs.Select(r => r.Result.WallTime.TotalMilliseconds))), "ms", $"{HeartbeatNodes} processes x {HeartbeatHorizon.TotalSeconds} virtual s, {beats} heartbeats, {runs[0].Result.Steps} steps");
        yield return new Figure("loop.steps_per_second", Math.Round(stepsPerSecond), "steps/s", "scheduling steps (continuations run) per wall second");
        yield return new Figure("loop.heartbeats_per_second", Math.Round(loopBeatsPerSecond), "beats/s", "acknowledged gRPC heartbeats per wall second");
        yield return new Figure("loop.peak_memory_mb", Math.Round(peak / 1048576.0, 1), "MiB", "peak working set of the bench process after the 20-process runs");
        yield return new Figure("loop.allocated_per_run_mb", Math.Round(allocatedPerRun / 1048576.0, 1), "MiB", "managed bytes allocated by one 20-process run");

        progress($"thread-pool floor: the same {HeartbeatNodes}-process heartbeat workload on the real thread pool, no simulation, 5 runs");
        var floor = Median(Enumerable.Range(0, 5).Select(_ => ThreadPoolHeartbeatsPerSecond(beats)));
        yield return new Figure("threadpool.heartbeats_per_second", Math.Round(floor), "beats/s", "same workload, thread pool, no latency, no virtual time");
        yield return new Figure("loop.vs_threadpool_ratio", Math.Round(loopBeatsPerSecond / floor, 3), "ratio", "loop heartbeats/s divided by thread-pool heartbeats/s (1.0 = as fast as no simulation)");

        progress($"bug finding: explore register --defect {DefectCatalogue.AckBeforeFlush} from {seeds} starting seeds");
        var found = Enumerable.Range(0, seeds)
            .Select(k => DefectHunt.Run(DefectCatalogue.Find(DefectCatalogue.AckBeforeFlush)!, "loop", "random", (ulong)(1 + (k * 1000)), 500))
            .Where(h => h.Found)
            .ToList();
        foreach (var figure in Finding("explore.ack_before_flush", seeds, "budget 500 iterations each", [.. found.Select(h => (h.Iterations, h.Wall))]))
        {
            yield return figure;
        }
    }

    private static double ThreadPoolHeartbeatsPerSecond(long targetBeats)
    {
        var names = Enumerable.Range(0, HeartbeatNodes).Select(i => $"node{i}.hb").ToList();
        var network = new DirectNetwork(names.ToDictionary(n => n, n => n, StringComparer.Ordinal));
        using var stop = new CancellationTokenSource();
        var nodes = new List<HeartbeatNode>();
        var started = Stopwatch.GetTimestamp();
        foreach (var name in names)
        {
            var host = new DirectHost(name, network, stop.Token);
            var options = new HeartbeatOptions(9000, names.Where(n => n != name).ToList(), TimeSpan.Zero, null, null, _ => null);
            using var ready = new ManualResetEventSlim();
            host.Post(() =>
            {
                lock (nodes)
                {
                    nodes.Add(HeartbeatNode.Start(host, options));
                }

                ready.Set();
            });
            ready.Wait();
        }

        while (true)
        {
            long total;
            lock (nodes)
            {
                total = nodes.Sum(n => n.Acknowledged);
            }

            if (total >= targetBeats)
            {
                var elapsed = Stopwatch.GetElapsedTime(started);
                stop.Cancel();
                return total / elapsed.TotalSeconds;
            }

            if (Stopwatch.GetElapsedTime(started) > TimeSpan.FromSeconds(60))
            {
                throw new InvalidOperationException($"the thread-pool floor made only {total} of {targetBeats} heartbeats in 60 s");
            }

            Thread.Sleep(1);
        }
    }

    /// <summary>The three figures of a bug-finding benchmark: how many seeds found it, and the median iterations and wall time of those that did.</summary>
    private static IEnumerable<Figure> Finding(string prefix, int seeds, string budget, IReadOnlyList<(long Iterations, TimeSpan Wall)> found)
    {
        var stats = FindingStats.Of(seeds, found.Select(f => (f.Iterations, f.Wall.TotalSeconds)));
        yield return new Figure($"{prefix}.found", stats.Found, "of " + seeds, $"explorations ({budget}) that found the defect");
        if (stats.Found > 0)
        {
            yield return new Figure($"{prefix}.iterations_median", stats.MedianIterations, "iterations", $"median over {stats.Found} seeds");
            yield return new Figure($"{prefix}.wall_seconds_median", Math.Round(stats.MedianWallSeconds, 3), "s", $"median over {stats.Found} seeds");
        }
    }

    private static double Median(IEnumerable<double> values) => FindingStats.Median(values);
}
