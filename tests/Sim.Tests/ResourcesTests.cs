using Sim.Stack.Host;
using Sim.Worlds;

namespace Sim.Tests;

/// <summary>What a process holds (listeners, connections, timers, loops), as resource checkers read it.</summary>
public sealed class ResourcesTests
{
    [Fact]
    public void AServerThatNeverClosesItsEndHoldsTheConnectionAfterTheClientLeft()
    {
        ProcessResources? leaky = null, tidy = null, client = null;
        var result = TestWorld.Run("resources", ctx =>
        {
            var (m1, m2) = NetworkFaultTests.TwoMachines(ctx);
            ctx.Horizon = TimeSpan.FromSeconds(5);
            ctx.Process("leaky", m2, async host =>
            {
                using var listener = host.Network.Listen("10.0.0.2", 9000);
                _ = await listener.AcceptAsync();
                await host.Clock.Delay(TimeSpan.FromHours(1), host.Lifetime);
            });
            ctx.Process("tidy", m2, async host =>
            {
                using var listener = host.Network.Listen("10.0.0.2", 9001);
                var conn = await listener.AcceptAsync();
                await conn.ReceiveAsync();
                conn.Dispose();
                host.Spawn("idle", ct => host.Clock.Delay(TimeSpan.FromHours(1), ct));
                await host.Clock.Delay(TimeSpan.FromHours(1), host.Lifetime);
            });
            ctx.Process("client", m1, async host =>
            {
                (await host.Network.DialAsync("10.0.0.2", 9000)).Dispose();
                (await host.Network.DialAsync("10.0.0.2", 9001)).Dispose();
            });
            ctx.Script(async w =>
            {
                await w.At(TimeSpan.FromSeconds(3));
                leaky = ctx.World.Resources(ctx.World.Process("leaky"));
                tidy = ctx.World.Resources(ctx.World.Process("tidy"));
                client = ctx.World.Resources(ctx.World.Process("client"));
            });
        });

        result.AssertClean();
        var held = Assert.Single(leaky!.Connections);
        Assert.True(held.ClientClosed && !held.ServerClosed, held.ToString());
        Assert.Equal(held, Assert.Single(leaky.With("client")));
        Assert.Equal(["10.0.0.2:9000"], leaky.Listeners);
        Assert.Equal(1, leaky.PendingTimers);

        Assert.Empty(tidy!.Connections);
        Assert.Equal(2, tidy.PendingTimers);
        Assert.Equal(1, tidy.RunningLoops);
        Assert.Equal((0, 0), (client!.PendingTimers, client.RunningLoops));
        Assert.True(Assert.Single(client.Connections).ClientClosed, "the client closed its end of what the server still holds");
    }
}
