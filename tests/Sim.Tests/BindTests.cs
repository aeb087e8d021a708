using Sim.Stack.Host;
using Sim.Worlds;

namespace Sim.Tests;

/// <summary>Listeners have real bind semantics.</summary>
public sealed class BindTests
{
    [Fact]
    public void BindingATakenPortIsAddressInUse()
    {
        var errors = new Dictionary<string, Exception?>(StringComparer.Ordinal);
        var result = TestWorld.Run("bind-twice", ctx =>
        {
            var (m1, m2) = NetworkFaultTests.TwoMachines(ctx);
            ctx.Horizon = TimeSpan.FromSeconds(1);
            ctx.Process("p", m1, async host =>
            {
                var listener = host.Network.Listen("10.0.0.1", 9000);
                errors["same process"] = Record.Exception(() => host.Network.Listen("10.0.0.1", 9000));
                errors["other port"] = Record.Exception(() => host.Network.Listen("10.0.0.1", 9001));
                await host.Clock.Delay(TimeSpan.FromSeconds(10));
                GC.KeepAlive(listener);
            });
            ctx.Process("q", m1, async host =>
            {
                await host.Clock.Delay(TimeSpan.FromMilliseconds(1));
                errors["other process"] = Record.Exception(() => host.Network.Listen("10.0.0.1", 9000));
            });
            ctx.Process("r", m2, async host =>
            {
                await host.Clock.Delay(TimeSpan.FromMilliseconds(1));
                errors["other machine"] = Record.Exception(() => host.Network.Listen("10.0.0.2", 9000));
            });
        });

        result.AssertClean();
        Assert.Contains("10.0.0.1:9000", Assert.IsType<AddressInUseException>(errors["same process"]).Message, StringComparison.Ordinal);
        Assert.IsType<AddressInUseException>(errors["other process"]);
        Assert.Null(errors["other port"]);
        Assert.Null(errors["other machine"]);
        Assert.Equal(2, result.Events<BindFailed>().Count);
    }

    [Theory]
    [InlineData("0.0.0.0", "10.0.0.1")]
    [InlineData("10.0.0.1", "0.0.0.0")]
    [InlineData("0.0.0.0", "0.0.0.0")]
    public void WildcardAndSpecificAddressesClashOnOnePort(string first, string second)
    {
        Exception? error = null;
        var result = TestWorld.Run("bind-wildcard", ctx =>
        {
            var m1 = ctx.Machine("m1", "site-a", "10.0.0.1", "10.0.0.11");
            ctx.Horizon = TimeSpan.FromSeconds(1);
            ctx.Process("p", m1, host =>
            {
                using var listener = host.Network.Listen(first, 9000);
                error = Record.Exception(() => host.Network.Listen(second, 9000));
                return Task.CompletedTask;
            });
        });

        result.AssertClean();
        Assert.IsType<AddressInUseException>(error);
    }

    [Fact]
    public void DistinctAddressesOfOneMachineMayShareAPort()
    {
        var accepted = new List<string>();
        Exception? error = null;
        var result = TestWorld.Run("bind-two-addresses", ctx =>
        {
            var m1 = ctx.Machine("m1", "site-a", "10.0.0.1", "10.0.0.11");
            var m2 = ctx.Machine("m2", "site-b", "10.0.0.2");
            ctx.Horizon = TimeSpan.FromSeconds(1);
            ctx.Process("server", m1, host =>
            {
                foreach (var address in new[] { "10.0.0.1", "10.0.0.11" })
                {
                    var listener = host.Network.Listen(address, 9000);
                    host.Spawn("accept-" + address, async _ =>
                    {
                        await listener.AcceptAsync();
                        accepted.Add(address);
                    });
                }

                return Task.CompletedTask;
            });
            ctx.Process("client", m2, async host =>
            {
                error = await Record.ExceptionAsync(async () =>
                {
                    await host.Network.DialAsync("10.0.0.11", 9000);
                    await host.Clock.Delay(TimeSpan.FromMilliseconds(100));
                    await host.Network.DialAsync("10.0.0.1", 9000);
                });
            });
        });

        result.AssertClean();
        Assert.Null(error);
        Assert.Equal(["10.0.0.11", "10.0.0.1"], accepted);
    }

    [Theory]
    [InlineData("10.0.0.2")]
    [InlineData("192.0.2.7")]
    public void BindingAnAddressTheMachineDoesNotOwnIsAddressNotAvailable(string address)
    {
        Exception? error = null;
        var result = TestWorld.Run("bind-unowned", ctx =>
        {
            var (m1, _) = NetworkFaultTests.TwoMachines(ctx);
            ctx.Horizon = TimeSpan.FromSeconds(1);
            ctx.Process("p", m1, host =>
            {
                error = Record.Exception(() => host.Network.Listen(address, 9000));
                return Task.CompletedTask;
            });
        });

        result.AssertClean();
        var e = Assert.IsType<AddressNotAvailableException>(error);
        Assert.Contains(address, e.Message, StringComparison.Ordinal);
        Assert.Contains("m1", e.Message, StringComparison.Ordinal);
        Assert.Single(result.Events<BindFailed>());
    }

    [Fact]
    public void PortIsFreeAgainOnceItsOwnerIsKilled()
    {
        var attempts = new List<(TimeSpan At, Exception? Error)>();
        var reachedNewOwner = false;
        var result = TestWorld.Run("bind-after-kill", ctx =>
        {
            var (m1, m2) = NetworkFaultTests.TwoMachines(ctx);
            ctx.Horizon = TimeSpan.FromSeconds(3);
            ctx.QuietAt = TimeSpan.FromSeconds(4);
            ctx.At(TimeSpan.FromSeconds(1), new FaultAction.Kill("owner"));
            ctx.Process("owner", m1, async host =>
            {
                using var listener = host.Network.Listen("0.0.0.0", 9000);
                await host.Clock.Delay(TimeSpan.FromHours(1));
            });
            ctx.Process("successor", m1, async host =>
            {
                foreach (var at in new[] { 0.5, 1.5 })
                {
                    await host.Clock.Delay(TimeSpan.FromSeconds(at) - host.Clock.Elapsed);
                    try
                    {
                        var listener = host.Network.Listen("10.0.0.1", 9000);
                        attempts.Add((host.Clock.Elapsed, null));
                        await listener.AcceptAsync();
                        reachedNewOwner = true;
                    }
                    catch (NetworkException e)
                    {
                        attempts.Add((host.Clock.Elapsed, e));
                    }
                }
            });
            ctx.Process("client", m2, async host =>
            {
                await host.Clock.Delay(TimeSpan.FromSeconds(2));
                await host.Network.DialAsync("10.0.0.1", 9000);
            });
        });

        result.AssertClean();
        Assert.Equal(2, attempts.Count);
        Assert.IsType<AddressInUseException>(attempts[0].Error);
        Assert.Null(attempts[1].Error);
        Assert.True(reachedNewOwner);
    }

    [Fact]
    public void RestartedProcessBindsItsPortAgain()
    {
        var bound = new List<int>();
        var result = TestWorld.Run("rebind-after-restart", ctx =>
        {
            var m1 = ctx.Machine("m1", "site-a", "10.0.0.1");
            ctx.Horizon = TimeSpan.FromSeconds(3);
            ctx.QuietAt = TimeSpan.FromSeconds(4);
            ctx.At(TimeSpan.FromSeconds(1), new FaultAction.Restart("p"));
            ctx.Process("p", m1, async host =>
            {
                using var listener = host.Network.Listen("10.0.0.1", 9000);
                bound.Add(host.Incarnation);
                await host.Clock.Delay(TimeSpan.FromHours(1));
            });
        });

        result.AssertClean();
        Assert.Equal([1, 2], bound);
    }

    [Fact]
    public void DisposingAListenerFreesThePortAndRefusesNewConnections()
    {
        Exception? rebind = null;
        Exception? dial = null;
        var result = TestWorld.Run("unlisten", ctx =>
        {
            var (m1, m2) = NetworkFaultTests.TwoMachines(ctx);
            ctx.Horizon = TimeSpan.FromSeconds(2);
            ctx.Process("server", m1, async host =>
            {
                host.Network.Listen("10.0.0.1", 9000).Dispose();
                await host.Clock.Delay(TimeSpan.FromSeconds(1));
                rebind = Record.Exception(() => host.Network.Listen("10.0.0.1", 9000).Dispose());
            });
            ctx.Process("client", m2, async host =>
            {
                await host.Clock.Delay(TimeSpan.FromMilliseconds(100));
                dial = await Record.ExceptionAsync(() => host.Network.DialAsync("10.0.0.1", 9000));
            });
        });

        result.AssertClean();
        Assert.Null(rebind);
        Assert.IsType<ConnectionRefusedException>(dial);
        Assert.Equal(2, result.Events<ListenerClosed>().Count);
    }
}
