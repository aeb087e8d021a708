using Sim.Engine;
using Sim.Report;
using Sim.Scenarios;
using Sim.Scenarios.Heartbeat;
using Sim.Stack.Defects;
using Sim.Stack.Rpc;
using Sim.Worlds;

namespace Sim.Tests;

/// <summary>The report's timeline: fault intervals, heals and recovery times read back from a run's event log.</summary>
public sealed class RunTimelineTests
{
    [Fact]
    public void ScriptedFaultsShowAsIntervalsAndEachHealHasARecoveryTime()
    {
        // Three heartbeat nodes (one beat a virtual second); node0 is cut off from 10 s to 15 s, node1 is down from 20 s to 22 s.
        var scenario = new InlineScenario("heartbeat-scripted", ctx =>
        {
            new HeartbeatScenario(nodes: 3).Build(ctx);
            ctx.At(TimeSpan.FromSeconds(10), new FaultAction.Partition(["m-node0"], ["m-node1", "m-node2"]));
            ctx.At(TimeSpan.FromSeconds(15), new FaultAction.HealNetwork());
            ctx.At(TimeSpan.FromSeconds(20), new FaultAction.Kill("node1"));
            ctx.At(TimeSpan.FromSeconds(22), new FaultAction.Start("node1"));
        });
        var run = Simulation.Run(scenario, new RunConfig(scenario.Name, 1, "random", DefectSet.None));
        run.AssertClean();

        var timeline = RunTimeline.Of(run);

        Assert.Equal([(10.0, 15.0)], timeline.Merged(RunTimeline.Partition));
        Assert.Equal(4, timeline.Faults.Count(f => f.Kind == RunTimeline.Partition));
        Assert.Equal([(20.0, 22.0)], timeline.Merged(RunTimeline.ProcessDown));
        Assert.Empty(timeline.Merged(RunTimeline.Paused));
        Assert.Collection(
            timeline.Recoveries,
            heal =>
            {
                Assert.Equal(15.0, heal.At);
                Assert.Equal("links", heal.What);
                Assert.Equal(["node0", "node1", "node2"], heal.Processes);
                Assert.InRange(heal.Seconds!.Value, 0.000001, 2.0);
            },
            heal =>
            {
                Assert.Equal(22.0, heal.At);
                Assert.Equal("restart", heal.What);
                Assert.Equal(["node1"], heal.Processes);
                Assert.InRange(heal.Seconds!.Value, 0.000001, 2.0);
            });

        // Each recovery ends at an RPC that completed OK at a process the heal touched, and none came earlier.
        var events = run.Log.Entries;
        foreach (var heal in timeline.Recoveries)
        {
            var rpcs = events.Where(e => e.Event is RpcCompleted { Ok: true } or RpcHandled { Ok: true } && heal.Processes.Contains(e.Subject)).ToList();
            var end = heal.At + heal.Seconds!.Value;
            Assert.Contains(rpcs, e => TestWorld.SameInstant(e.Time, TimeSpan.FromSeconds(end)));
            Assert.DoesNotContain(rpcs, e => e.Time.TotalSeconds > heal.At + 1e-6 && e.Time.TotalSeconds < end - 1e-6);
        }

        // Frames per second add up to the log's deliveries; the node cut off gets none while it is.
        Assert.Equal(events.Count(e => e.Event is FrameDelivered), timeline.DeliveredPerSecond.Sum());
        Assert.DoesNotContain(events, e => e.Event is FrameDelivered && e.Subject == "node0" && e.Time > TimeSpan.FromSeconds(10.5) && e.Time < TimeSpan.FromSeconds(15));
        Assert.Equal(45.0, timeline.QuietAt);
    }
}
