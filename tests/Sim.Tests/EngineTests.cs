using Sim.Engine;
using Sim.Worlds;

namespace Sim.Tests;

/// <summary>The loop engine: invariants, the horizon and the step bound.</summary>
public sealed class EngineTests
{
    [Fact]
    public void SafetyInvariantStopsTheRunAtTheFirstViolatingStep()
    {
        var counter = 0;
        var result = TestWorld.Run("safety", ctx =>
        {
            var m1 = ctx.Machine("m1", "site-a", "10.0.0.1");
            ctx.Horizon = TimeSpan.FromSeconds(10);
            ctx.Always("counter-below-4", () => counter < 4 ? null : $"counter reached {counter}");
            ctx.Process("p", m1, async host =>
            {
                while (true)
                {
                    await host.Clock.Delay(TimeSpan.FromSeconds(1));
                    counter++;
                }
            });
        });

        Assert.NotNull(result.Violation);
        Assert.Equal("counter-below-4", result.Violation.Invariant);
        Assert.Equal("counter reached 4", result.Violation.Message);
        Assert.Equal(TimeSpan.FromSeconds(4), result.Violation.Time);
        Assert.Equal(LoopExit.Stopped, result.Exit);
        Assert.Equal(4, counter);
        Assert.Equal("bug", result.Verdict);
        Assert.Single(result.Events<Violation>());
    }

    [Theory]
    [InlineData(2.0, false)]
    [InlineData(8.0, true)]
    public void LivenessInvariantIsJudgedAtTheHorizon(double doneAtSeconds, bool violated)
    {
        var done = false;
        var result = TestWorld.Run("liveness", ctx =>
        {
            var m1 = ctx.Machine("m1", "site-a", "10.0.0.1");
            ctx.Horizon = TimeSpan.FromSeconds(5);
            ctx.Eventually("work-done", () => done ? null : "the work never finished");
            ctx.Process("p", m1, async host =>
            {
                await host.Clock.Delay(TimeSpan.FromSeconds(doneAtSeconds));
                done = true;
            });
        });

        if (violated)
        {
            Assert.Equal(LoopExit.Horizon, result.Exit);
            Assert.Equal(TimeSpan.FromSeconds(5), result.VirtualTime);
            Assert.NotNull(result.Violation);
            Assert.Equal("work-done", result.Violation.Invariant);
            Assert.Equal(TimeSpan.FromSeconds(5), result.Violation.Time);
        }
        else
        {
            // Nothing left to do after the quiet point: the run ends there, and liveness is judged then.
            Assert.Equal(LoopExit.Quiescent, result.Exit);
            result.AssertClean();
        }
    }

    [Fact]
    public void FailFromAProcessEndsTheRunWithThatViolation()
    {
        var after = false;
        var result = TestWorld.Run("fail", ctx =>
        {
            var m1 = ctx.Machine("m1", "site-a", "10.0.0.1");
            ctx.Horizon = TimeSpan.FromSeconds(10);
            ctx.Process("p", m1, async host =>
            {
                await host.Clock.Delay(TimeSpan.FromSeconds(3));
                ctx.Fail("checker", "saw something bad");
                await host.Clock.Delay(TimeSpan.FromSeconds(1));
                after = true;
            });
        });

        Assert.Equal(new Sim.Worlds.Violation("checker", "saw something bad", TimeSpan.FromSeconds(3), result.Violation!.Step), result.Violation);
        Assert.False(after);
        Assert.Equal(TimeSpan.FromSeconds(3), result.VirtualTime);
    }

    [Fact]
    public void BusyLoopHitsTheStepBoundAndIsReported()
    {
        var result = TestWorld.Run("busy", ctx =>
        {
            var m1 = ctx.Machine("m1", "site-a", "10.0.0.1");
            ctx.Horizon = TimeSpan.FromSeconds(10);
            ctx.MaxSteps = 5_000;
            ctx.Process("p", m1, async _ =>
            {
                while (true)
                {
                    await Task.Yield();
                }
            });
        });

        Assert.Equal(LoopExit.StepBound, result.Exit);
        Assert.Equal("step-bound", result.Violation?.Invariant);
        Assert.Equal(5_000, result.Steps);
        Assert.Equal(TimeSpan.Zero, result.VirtualTime);
    }

    [Fact]
    public void CrashingMainIsLoggedAndTheProcessGoesDown()
    {
        var result = TestWorld.Run("crash", ctx =>
        {
            var m1 = ctx.Machine("m1", "site-a", "10.0.0.1");
            ctx.Horizon = TimeSpan.FromSeconds(2);
            ctx.QuietAt = TimeSpan.FromSeconds(3);
            ctx.Process("p", m1, async host =>
            {
                await host.Clock.Delay(TimeSpan.FromSeconds(1));
                throw new InvalidOperationException("boom");
            });
        });

        var crash = Assert.Single(result.Events<ProcessCrashed>());
        Assert.Equal(new ProcessCrashed("InvalidOperationException", "boom"), crash.Event);
        Assert.Equal("crashed", Assert.Single(result.Events<ProcessKilled>()).Event.Why);
    }
}
