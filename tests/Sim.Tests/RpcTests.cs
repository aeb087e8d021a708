using Grpc.Core;
using Sim.Scenarios;
using Sim.Stack.Defects;
using Sim.Stack.Host;
using Sim.Stack.Register;
using Sim.Stack.Rpc;
using Sim.Worlds;
using Contracts = Sim.Stack.Register.Contracts;

namespace Sim.Tests;

/// <summary>gRPC over the host seam: generated clients and services, deadlines, cancellation, metadata and peer identity.</summary>
public sealed class RpcTests
{
    private const int Port = 7000;
    private static readonly DateTime NotBefore = World.Epoch - TimeSpan.FromDays(1);
    private static readonly DateTime NotAfter = World.Epoch + TimeSpan.FromDays(30);

    [Fact]
    public void UnaryAndServerStreamingCallsReachTheRegister()
    {
        var versions = new List<long>();
        Contracts.ReadReply? read = null;
        IReadOnlyList<Contracts.ReadReply>? scan = null;
        IReadOnlyList<Contracts.ReadReply>? emptyScan = null;
        var result = TestWorld.Run("rpc-register", ctx =>
        {
            var (m1, m2) = NetworkFaultTests.TwoMachines(ctx);
            ctx.Horizon = TimeSpan.FromSeconds(5);
            ctx.Process("server", m2, host => RegisterReplica.RunAsync(host, new RegisterOptions(
                IsPrimary: true, ListenAddress: "10.0.0.2", Port: Port, ServerTls: null, BackupHost: null, BackupTls: null,
                Defects: DefectSet.None, ReplicationTimeout: TimeSpan.FromMilliseconds(500), BackgroundFlushInterval: TimeSpan.FromMilliseconds(500))));
            ctx.Process("client", m1, async host =>
            {
                var client = new RegisterClient(host, "10.0.0.2", "10.0.0.2", Port, _ => null, TimeSpan.FromSeconds(1));
                foreach (var (key, value) in new[] { ("k/a", "1"), ("k/a", "2"), ("k/b", "x"), ("z", "other") })
                {
                    versions.Add(await client.WriteAsync(key, value));
                }

                read = await client.ReadAsync("k/a");
                scan = await client.ScanAsync("k/");
                emptyScan = await client.ScanAsync("none/");
            });
        });

        result.AssertClean();
        Assert.Equal([1L, 2L, 1L, 1L], versions);
        Assert.NotNull(read);
        Assert.Equal(("k/a", "2", 2L, "server"), (read.Key, read.Value, read.Version, read.ServedBy));
        Assert.NotNull(scan);
        Assert.Equal([("k/a", "2", 2L), ("k/b", "x", 1L)], scan.Select(r => (r.Key, r.Value, r.Version)));
        Assert.NotNull(emptyScan);
        Assert.Empty(emptyScan);
        Assert.Contains(result.Events<RpcHandled>(), e => e.Event.Method == "/sim.register.Register/Scan" && e.Event.Ok);
        Assert.Equal(4, result.Events<DiskFlushed>().Count);
    }

    [Fact]
    public void CallThatOutlivesItsDeadlineFailsWithDeadlineExceededAndCancelsTheHandler()
    {
        var timeout = TimeSpan.FromSeconds(1);
        StatusCode? status = null;
        var failedAt = TimeSpan.Zero;
        var calledAt = TimeSpan.Zero;
        var handlerCancelledAt = TimeSpan.Zero;
        var handlerDeadline = DateTime.MinValue;
        var handlerStartedUtc = DateTime.MinValue;
        var result = TestWorld.Run("rpc-deadline", ctx =>
        {
            var (m1, m2) = NetworkFaultTests.TwoMachines(ctx);
            ctx.Horizon = TimeSpan.FromSeconds(10);
            Serve(ctx, m2, host => new Probe(async (_, context) =>
            {
                handlerDeadline = context.Deadline;
                handlerStartedUtc = host.Clock.UtcNow;
                try
                {
                    await host.Clock.Delay(TimeSpan.FromSeconds(5), context.CancellationToken);
                }
                catch (OperationCanceledException)
                {
                    handlerCancelledAt = host.Clock.Elapsed;
                    throw;
                }

                return new Contracts.ReadReply();
            }));
            ctx.Process("client", m1, async host =>
            {
                var client = new Contracts.Register.RegisterClient(new RpcChannel(host, "10.0.0.2", Port));
                await host.Clock.Delay(TimeSpan.FromMilliseconds(100));
                calledAt = host.Clock.Elapsed;
                try
                {
                    await client.ReadAsync(new Contracts.ReadRequest { Key = "k" }, deadline: host.Clock.UtcNow + timeout);
                }
                catch (RpcException e)
                {
                    (status, failedAt) = (e.StatusCode, host.Clock.Elapsed);
                }
            });
        });

        result.AssertClean();
        Assert.Equal(StatusCode.DeadlineExceeded, status);
        Assert.Equal(calledAt + timeout, failedAt);

        // The server received the timeout and enforced it on its own clock.
        var delivery = handlerStartedUtc - World.Epoch - calledAt;
        Assert.InRange(delivery, TimeSpan.Zero, TimeSpan.FromMilliseconds(200));
        Assert.Equal(handlerStartedUtc + timeout, handlerDeadline);
        Assert.InRange(handlerCancelledAt, calledAt + timeout, calledAt + timeout + delivery);
    }

    [Fact]
    public void AServerWhoseDeadlinePassesAnswersDeadlineExceededWhateverItsHandlerMakesOfTheCancel()
    {
        var result = TestWorld.Run("rpc-server-deadline", ctx =>
        {
            var (m1, m2) = NetworkFaultTests.TwoMachines(ctx);
            ctx.Horizon = TimeSpan.FromSeconds(10);
            // A handler that relays its cancelled context as Cancelled, as a proxy relays the call it forwarded.
            Serve(ctx, m2, host => new Probe(async (_, context) =>
            {
                try
                {
                    await host.Clock.Delay(TimeSpan.FromSeconds(5), context.CancellationToken);
                }
                catch (OperationCanceledException)
                {
                    throw new RpcException(new Status(StatusCode.Cancelled, "Cancelled (from the next hop)"));
                }

                return new Contracts.ReadReply();
            }));
            ctx.Process("client", m1, async host =>
            {
                var client = new Contracts.Register.RegisterClient(new RpcChannel(host, "10.0.0.2", Port));
                await host.Clock.Delay(TimeSpan.FromMilliseconds(100));
                try
                {
                    await client.ReadAsync(new Contracts.ReadRequest { Key = "k" }, deadline: host.Clock.UtcNow + TimeSpan.FromSeconds(1));
                }
                catch (RpcException)
                {
                }
            });
            // The caller is paused across its deadline: its own timer cannot cancel the call first.
            ctx.At(TimeSpan.FromSeconds(0.5), new FaultAction.Pause("client") { Lasts = TimeSpan.FromSeconds(2) });
        });

        // gRPC's server answers DEADLINE_EXCEEDED once the deadline it was given passes; a Cancelled would read as the
        // caller's own doing (gateway-routing swarm seed 91: a relayed "Cancelled (from the next hop)" reached a user).
        Assert.Contains(result.Log.Entries, e => e.Event is RpcHandled { Status: StatusCode.DeadlineExceeded });
        Assert.DoesNotContain(result.Log.Entries, e => e.Event is RpcHandled { Status: StatusCode.Cancelled });
    }

    [Theory]
    [InlineData("client killed")]
    [InlineData("connection reset")]
    [InlineData("client cancelled")]
    public void HandlerCancellationFiresWhenTheCallerGoesAway(string how)
    {
        var breakAt = TimeSpan.FromSeconds(1);
        var handlerStarted = false;
        var handlerCancelledAt = TimeSpan.Zero;
        StatusCode? clientStatus = null;
        var result = TestWorld.Run("rpc-cancel", ctx =>
        {
            var (m1, m2) = NetworkFaultTests.TwoMachines(ctx);
            ctx.Horizon = TimeSpan.FromSeconds(5);
            ctx.QuietAt = TimeSpan.FromSeconds(6);
            if (how == "client killed")
            {
                ctx.At(breakAt, new FaultAction.Kill("client"));
            }
            else if (how == "connection reset")
            {
                ctx.At(breakAt, new FaultAction.Custom("reset", w => w.Network.ResetConnection(Assert.Single(w.Network.ConnectionIds), "test reset")));
            }

            Serve(ctx, m2, host => new Probe(async (_, context) =>
            {
                handlerStarted = true;
                try
                {
                    await host.Clock.Delay(TimeSpan.FromHours(1), context.CancellationToken);
                }
                catch (OperationCanceledException)
                {
                    handlerCancelledAt = host.Clock.Elapsed;
                    throw;
                }

                return new Contracts.ReadReply();
            }));
            ctx.Process("client", m1, async host =>
            {
                var client = new Contracts.Register.RegisterClient(new RpcChannel(host, "10.0.0.2", Port));
                using var cts = new CancellationTokenSource();
                if (how == "client cancelled")
                {
                    host.Spawn("cancel", async _ =>
                    {
                        await host.Clock.Delay(breakAt);
                        cts.Cancel();
                    });
                }

                try
                {
                    await client.ReadAsync(new Contracts.ReadRequest { Key = "k" }, cancellationToken: cts.Token);
                }
                catch (RpcException e)
                {
                    clientStatus = e.StatusCode;
                }
            });
        });

        result.AssertClean();
        Assert.True(handlerStarted);
        Assert.InRange(handlerCancelledAt, breakAt, breakAt + TimeSpan.FromMilliseconds(60));
        Assert.Contains(result.Events<RpcHandled>(), e => e.Event.Status == StatusCode.Cancelled);
        var expected = how switch
        {
            "client killed" => (StatusCode?)null, // its code never runs again
            "connection reset" => StatusCode.Unavailable,
            _ => StatusCode.Cancelled,
        };
        Assert.Equal(expected, clientStatus);
    }

    [Fact]
    public void HandlerSeesRequestMetadataAndThePeerIdentityUnderMutualTls()
    {
        Seen? seen = null;
        string? trailer = null;
        var result = TestWorld.Run("rpc-mtls", ctx =>
        {
            var (m1, m2) = NetworkFaultTests.TwoMachines(ctx);
            ctx.Name("srv.example", "10.0.0.2");
            ctx.Horizon = TimeSpan.FromSeconds(5);
            var ca = ctx.Authority("ca");
            var serverCert = ca.Issue("srv", ["srv.example"], NotBefore, NotAfter);
            var clientCert = ca.Issue("tenant-client", ["client.tenant.example"], NotBefore, NotAfter);
            Serve(ctx, m2, _ => new Probe((_, context) =>
            {
                seen = Seen.Of(context);
                context.ResponseTrailers.Add("x-served-by", "probe");
                return Task.FromResult(new Contracts.ReadReply { Value = "ok" });
            }), new TlsServerOptions(() => serverCert, ClientTrust: ca.Trust()));
            ctx.Process("client", m1, async host =>
            {
                var client = new Contracts.Register.RegisterClient(new RpcChannel(host, "srv.example", Port, new TlsClientOptions("srv.example", ca.Trust(), clientCert)));
                var headers = new Metadata { { "x-tenant", "acme" }, { "x-trace-bin", new byte[] { 1, 2, 3 } } };
                using var call = client.ReadAsync(new Contracts.ReadRequest { Key = "k" }, headers);
                await call;
                trailer = call.GetTrailers().GetValue("x-served-by");
            });
        });

        result.AssertClean();
        Assert.NotNull(seen);
        Assert.Equal("acme", seen.Tenant);
        Assert.Equal([1, 2, 3], seen.Trace);
        Assert.Equal("/sim.register.Register/Read", seen.Method);
        Assert.StartsWith("ipv4:10.0.0.1:", seen.Peer, StringComparison.Ordinal);
        Assert.True(seen.Authenticated);
        Assert.Equal("x509_common_name", seen.IdentityProperty);
        Assert.Equal(["tenant-client"], seen.Identity);
        Assert.Equal(["tenant-client"], seen.CommonName);
        Assert.Equal(["client.tenant.example"], seen.AlternativeNames);
        Assert.Equal("ssl", seen.Transport);
        Assert.Equal("probe", trailer);
    }

    [Fact]
    public void ServerOnlyTlsReportsAnSslTransportWithoutPeerIdentity()
    {
        // gRPC reports transport_security_type "ssl" for any TLS connection; only mTLS adds a peer identity.
        Seen? seen = null;
        var result = TestWorld.Run("rpc-tls", ctx =>
        {
            var (m1, m2) = NetworkFaultTests.TwoMachines(ctx);
            ctx.Name("srv.example", "10.0.0.2");
            ctx.Horizon = TimeSpan.FromSeconds(5);
            var ca = ctx.Authority("ca");
            var serverCert = ca.Issue("srv", ["srv.example"], NotBefore, NotAfter);
            Serve(ctx, m2, _ => new Probe((_, context) =>
            {
                seen = Seen.Of(context);
                return Task.FromResult(new Contracts.ReadReply());
            }), new TlsServerOptions(() => serverCert));
            ctx.Process("client", m1, async host =>
            {
                var client = new Contracts.Register.RegisterClient(new RpcChannel(host, "srv.example", Port, new TlsClientOptions("srv.example", ca.Trust())));
                await client.ReadAsync(new Contracts.ReadRequest { Key = "k" });
            });
        });

        result.AssertClean();
        Assert.NotNull(seen);
        Assert.False(seen.Authenticated);
        Assert.Equal("ssl", seen.Transport);
    }

    [Fact]
    public void ResponseHeadersWrittenByTheHandlerReachTheClient()
    {
        Metadata? headers = null;
        var result = TestWorld.Run("rpc-headers", ctx =>
        {
            var (m1, m2) = NetworkFaultTests.TwoMachines(ctx);
            ctx.Horizon = TimeSpan.FromSeconds(5);
            Serve(ctx, m2, _ => new Probe(async (_, context) =>
            {
                await context.WriteResponseHeadersAsync(new Metadata { { "x-shard", "7" } });
                return new Contracts.ReadReply();
            }));
            ctx.Process("client", m1, async host =>
            {
                var client = new Contracts.Register.RegisterClient(new RpcChannel(host, "10.0.0.2", Port));
                using var call = client.ReadAsync(new Contracts.ReadRequest { Key = "k" });
                headers = await call.ResponseHeadersAsync;
                await call;
            });
        });

        result.AssertClean();
        Assert.NotNull(headers);
        Assert.Equal("7", headers.GetValue("x-shard"));
    }

    [Fact]
    public void CallsFailAsUnavailableWhenTheServerIsDownOrDies()
    {
        var statuses = new List<StatusCode>();
        var result = TestWorld.Run("rpc-unavailable", ctx =>
        {
            var (m1, m2) = NetworkFaultTests.TwoMachines(ctx);
            ctx.Horizon = TimeSpan.FromSeconds(5);
            ctx.QuietAt = TimeSpan.FromSeconds(6);
            ctx.At(TimeSpan.FromSeconds(2), new FaultAction.Kill("server"));
            ctx.Process("server", m2, async host =>
            {
                await host.Clock.Delay(TimeSpan.FromSeconds(1));
                var server = new RpcServer(host, "10.0.0.2", Port);
                server.AddService(Contracts.Register.BindService(new Probe(async (_, context) =>
                {
                    await host.Clock.Delay(TimeSpan.FromHours(1), context.CancellationToken);
                    return new Contracts.ReadReply();
                })));
                server.Start();
            });
            ctx.Process("client", m1, async host =>
            {
                var client = new Contracts.Register.RegisterClient(new RpcChannel(host, "10.0.0.2", Port));
                foreach (var at in new[] { 0.5, 1.5 })
                {
                    await host.Clock.Delay(TimeSpan.FromSeconds(at) - host.Clock.Elapsed);
                    try
                    {
                        await client.ReadAsync(new Contracts.ReadRequest { Key = "k" });
                    }
                    catch (RpcException e)
                    {
                        statuses.Add(e.StatusCode);
                    }
                }
            });
        });

        result.AssertClean();
        Assert.Equal([StatusCode.Unavailable, StatusCode.Unavailable], statuses);
    }

    [Fact]
    public void CallsEndAtTheirDeadlineWhileTheChannelIsStillDialingAndShareThatOneDial()
    {
        // The link is cut, so a dial takes the network's whole connect timeout (1 s) to fail. Two calls with a 300 ms
        // deadline on a fresh channel must end at their deadline, as gRPC fails a call at its deadline whatever the
        // channel's state, and must wait on one dial, not each start their own; after the heal the next call dials once.
        var deadline = TimeSpan.FromMilliseconds(300);
        var calledAt = TimeSpan.Zero;
        var ended = new List<(StatusCode Status, TimeSpan At)>();
        string? afterHeal = null;
        var result = TestWorld.Run("rpc-deadline-while-dialing", ctx =>
        {
            var (m1, m2) = NetworkFaultTests.TwoMachines(ctx);
            ctx.Horizon = TimeSpan.FromSeconds(5);
            ctx.At(TimeSpan.Zero, new FaultAction.Partition(["m1"], ["m2"]));
            ctx.At(TimeSpan.FromSeconds(2), new FaultAction.Heal(["m1"], ["m2"]));
            Serve(ctx, m2, _ => new Probe((request, _) => Task.FromResult(new Contracts.ReadReply { Key = request.Key })));
            ctx.Process("client", m1, async host =>
            {
                var client = new Contracts.Register.RegisterClient(new RpcChannel(host, "10.0.0.2", Port));
                await host.Clock.Delay(TimeSpan.FromMilliseconds(100));
                calledAt = host.Clock.Elapsed;
                async Task CallAsync()
                {
                    try
                    {
                        await client.ReadAsync(new Contracts.ReadRequest { Key = "k" }, deadline: host.Clock.UtcNow + deadline);
                        ended.Add((StatusCode.OK, host.Clock.Elapsed));
                    }
                    catch (RpcException e)
                    {
                        ended.Add((e.StatusCode, host.Clock.Elapsed));
                    }
                }

                await Task.WhenAll(CallAsync(), CallAsync());
                await host.Clock.Delay(TimeSpan.FromSeconds(3) - host.Clock.Elapsed);
                afterHeal = (await client.ReadAsync(new Contracts.ReadRequest { Key = "healed" }, deadline: host.Clock.UtcNow + deadline)).Key;
            });
        });

        result.AssertClean();
        Assert.Equal([(StatusCode.DeadlineExceeded, calledAt + deadline), (StatusCode.DeadlineExceeded, calledAt + deadline)], ended);
        Assert.Equal("healed", afterHeal);
        var dialFailures = result.Events<DialFailed>().Where(e => e.Event.From == "m1").ToList();
        Assert.Equal([DialFailure.Unreachable], dialFailures.Select(e => e.Event.Failure));
        Assert.Single(result.Events<Connected>(), e => e.Event.Server == "server");
    }

    // ---- helpers -------------------------------------------------------------------------------------

    private static void Serve(ScenarioContext ctx, Machine machine, Func<IHost, Contracts.Register.RegisterBase> service, TlsServerOptions? tls = null) =>
        ctx.Process("server", machine, host =>
        {
            var server = new RpcServer(host, "10.0.0.2", Port, tls);
            server.AddService(Contracts.Register.BindService(service(host)));
            server.Start();
            return Task.CompletedTask;
        });

    /// <summary>A register whose Read does what the test says.</summary>
    private sealed class Probe(Func<Contracts.ReadRequest, ServerCallContext, Task<Contracts.ReadReply>> read) : Contracts.Register.RegisterBase
    {
        public override Task<Contracts.ReadReply> Read(Contracts.ReadRequest request, ServerCallContext context) => read(request, context);
    }

    /// <summary>What a handler saw of its call context.</summary>
    private sealed record Seen(
        string? Tenant, byte[]? Trace, string Method, string Peer, bool Authenticated, string? IdentityProperty,
        string[] Identity, string[] CommonName, string[] AlternativeNames, string? Transport)
    {
        public static Seen Of(ServerCallContext context)
        {
            var auth = context.AuthContext;
            string[] Values(string name) => auth.FindPropertiesByName(name).Select(p => p.Value).ToArray();
            return new Seen(
                context.RequestHeaders.GetValue("x-tenant"),
                context.RequestHeaders.GetValueBytes("x-trace-bin"),
                context.Method,
                context.Peer,
                auth.IsPeerAuthenticated,
                auth.PeerIdentityPropertyName,
                auth.PeerIdentity.Select(p => p.Value).ToArray(),
                Values("x509_common_name"),
                Values("x509_subject_alternative_name"),
                Values("transport_security_type").FirstOrDefault());
        }
    }
}
