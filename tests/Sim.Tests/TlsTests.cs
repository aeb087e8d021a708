using Sim.Engine;
using Sim.Stack.Host;
using Sim.Worlds;

namespace Sim.Tests;

/// <summary>The modelled TLS handshake: every failure is a typed error naming its cause.</summary>
public sealed class TlsTests
{
    private static readonly DateTime Epoch = World.Epoch;
    private static readonly DateTime NotBefore = Epoch - TimeSpan.FromDays(1);
    private static readonly DateTime NotAfter = Epoch + TimeSpan.FromDays(30);

    [Fact]
    public void ValidServerCertificateIsSeenByTheClient()
    {
        var outcome = Handshake((ca, _) => (Server(ca.Issue("srv", ["srv.example"], NotBefore, NotAfter)), new TlsClientOptions("srv.example", ca.Trust())));

        Assert.Null(outcome.ClientError);
        Assert.True(outcome.Accepted);
        Assert.Equal(new[] { "srv", "ca" }, new[] { outcome.ClientSawServer?.Subject, outcome.ClientSawServer?.Issuer });
        Assert.Null(outcome.ServerSawClient);
        Assert.Single(outcome.Result.Events<TlsEstablished>());
    }

    [Fact]
    public void ExpiredCertificateFailsAsCertificateExpired() =>
        AssertFails(TlsFailure.CertificateExpired, Handshake((ca, _) =>
            (Server(ca.Issue("srv", ["srv.example"], Epoch - TimeSpan.FromDays(30), Epoch - TimeSpan.FromHours(1))), new TlsClientOptions("srv.example", ca.Trust()))));

    [Fact]
    public void NotYetValidCertificateFailsAsCertificateNotYetValid() =>
        AssertFails(TlsFailure.CertificateNotYetValid, Handshake((ca, _) =>
            (Server(ca.Issue("srv", ["srv.example"], Epoch + TimeSpan.FromHours(1), NotAfter)), new TlsClientOptions("srv.example", ca.Trust()))));

    [Fact]
    public void ClientClockSkewedBackMakesAValidCertificateNotYetValid() =>
        AssertFails(TlsFailure.CertificateNotYetValid, Handshake(
            (ca, _) => (Server(ca.Issue("srv", ["srv.example"], NotBefore, NotAfter)), new TlsClientOptions("srv.example", ca.Trust())),
            clientSkew: -TimeSpan.FromDays(2)));

    [Fact]
    public void ClientClockSkewedForwardMakesAValidCertificateExpired() =>
        AssertFails(TlsFailure.CertificateExpired, Handshake(
            (ca, _) => (Server(ca.Issue("srv", ["srv.example"], NotBefore, NotAfter)), new TlsClientOptions("srv.example", ca.Trust())),
            clientSkew: TimeSpan.FromDays(31)));

    [Fact]
    public void ClientCertificateIsJudgedByTheServersClock() =>
        AssertFails(TlsFailure.CertificateExpired, Handshake(
            (ca, _) => (
                Server(ca.Issue("srv", ["srv.example"], NotBefore, NotAfter), ca.Trust()),
                new TlsClientOptions("srv.example", ca.Trust(), ca.Issue("client", ["client.example"], NotBefore, NotAfter))),
            serverSkew: TimeSpan.FromDays(31)));

    [Fact]
    public void CertificateForAnotherNameFailsAsNameMismatch() =>
        AssertFails(TlsFailure.NameMismatch, Handshake((ca, _) =>
            (Server(ca.Issue("srv", ["srv.example"], NotBefore, NotAfter)), new TlsClientOptions("alias.example", ca.Trust())), dial: "alias.example"));

    [Fact]
    public void NameCheckCanBeTurnedOff()
    {
        var outcome = Handshake((ca, _) =>
            (Server(ca.Issue("srv", ["srv.example"], NotBefore, NotAfter)), new TlsClientOptions("alias.example", ca.Trust(), VerifyServerName: false)), dial: "alias.example");
        Assert.Null(outcome.ClientError);
    }

    [Theory]
    [InlineData("srv.example", true)]
    [InlineData("a.srv.example", false)]
    [InlineData("example", false)]
    public void WildcardCertificateCoversExactlyOneLabel(string name, bool matches)
    {
        var outcome = Handshake((ca, _) => (Server(ca.Issue("wild", ["*.example"], NotBefore, NotAfter)), new TlsClientOptions(name, ca.Trust())), dial: "srv.example");
        if (matches)
        {
            Assert.Null(outcome.ClientError);
        }
        else
        {
            AssertFails(TlsFailure.NameMismatch, outcome);
        }
    }

    [Fact]
    public void CertificateFromAnUntrustedAuthorityFailsAsUntrustedIssuer() =>
        AssertFails(TlsFailure.UntrustedIssuer, Handshake((ca, other) =>
            (Server(other.Issue("srv", ["srv.example"], NotBefore, NotAfter)), new TlsClientOptions("srv.example", ca.Trust()))));

    [Fact]
    public void TamperedCertificateFailsAsUntrustedIssuer() =>
        AssertFails(TlsFailure.UntrustedIssuer, Handshake((ca, _) =>
            (Server(ca.Issue("srv", ["other.example"], NotBefore, NotAfter) with { DnsNames = ["srv.example"] }), new TlsClientOptions("srv.example", ca.Trust()))));

    [Fact]
    public void MutualTlsWithoutAClientCertificateFailsAsClientCertificateRequired() =>
        AssertFails(TlsFailure.ClientCertificateRequired, Handshake((ca, _) =>
            (Server(ca.Issue("srv", ["srv.example"], NotBefore, NotAfter), ca.Trust()), new TlsClientOptions("srv.example", ca.Trust()))));

    [Fact]
    public void ClientCertificateFromAnUntrustedAuthorityFailsAsUntrustedIssuer() =>
        AssertFails(TlsFailure.UntrustedIssuer, Handshake((ca, other) =>
            (Server(ca.Issue("srv", ["srv.example"], NotBefore, NotAfter), ca.Trust()),
             new TlsClientOptions("srv.example", ca.Trust(), other.Issue("client", ["client.example"], NotBefore, NotAfter)))));

    [Fact]
    public void MutualTlsExposesEachPeersCertificate()
    {
        var outcome = Handshake((ca, _) =>
            (Server(ca.Issue("srv", ["srv.example"], NotBefore, NotAfter), ca.Trust()),
             new TlsClientOptions("srv.example", ca.Trust(), ca.Issue("client-7", ["client7.example"], NotBefore, NotAfter))));

        Assert.Null(outcome.ClientError);
        Assert.Equal("srv", outcome.ClientSawServer?.Subject);
        Assert.Equal("client-7", outcome.ServerSawClient?.Subject);
        Assert.Equal(["client7.example"], outcome.ServerSawClient?.DnsNames ?? []);
        Assert.Equal("ca", outcome.ServerSawClient?.Issuer);
        Assert.Equal("client-7", Assert.Single(outcome.Result.Events<TlsEstablished>()).Event.Client);
    }

    [Fact]
    public void PlaintextClientIsNotAcceptedByAMutualTlsServer()
    {
        // A server that requires client certificates must never hand its application an unauthenticated
        // plaintext connection: a real TLS server fails the handshake on the first non-TLS byte.
        var outcome = Handshake((ca, _) => (Server(ca.Issue("srv", ["srv.example"], NotBefore, NotAfter), ca.Trust()), null));

        Assert.False(outcome.Accepted, "the mTLS server accepted a plaintext connection without a client certificate");
    }

    [Fact]
    public void SessionOutlivingItsLifetimeFailsAsSessionExpiredAndANewHandshakeSucceeds()
    {
        var lifetime = TimeSpan.FromSeconds(2);
        Exception? clientError = null;
        Exception? serverError = null;
        var clientErrorAt = TimeSpan.Zero;
        Exception? redial = null;
        var result = TestWorld.Run("tls-session", ctx =>
        {
            var (m1, m2) = NetworkFaultTests.TwoMachines(ctx);
            ctx.Name("srv.example", "10.0.0.2");
            ctx.Horizon = TimeSpan.FromSeconds(5);
            var ca = ctx.Authority("ca");
            var cert = ca.Issue("srv", ["srv.example"], NotBefore, NotAfter);
            ctx.Process("server", m2, async host =>
            {
                using var listener = host.Network.Listen("10.0.0.2", 443, new TlsServerOptions(() => cert, SessionLifetime: lifetime));
                var conn = await listener.AcceptAsync();
                serverError = await Record.ExceptionAsync(() => conn.ReceiveAsync());
                await listener.AcceptAsync();
            });
            ctx.Process("client", m1, async host =>
            {
                var conn = await host.Network.DialAsync("srv.example", 443, new TlsClientOptions("srv.example", ca.Trust()));
                clientError = await Record.ExceptionAsync(() => conn.ReceiveAsync());
                clientErrorAt = host.Clock.Elapsed;
                redial = await Record.ExceptionAsync(() => host.Network.DialAsync("srv.example", 443, new TlsClientOptions("srv.example", ca.Trust())));
            });
        });

        result.AssertClean();
        var handshakes = result.Events<TlsEstablished>();
        Assert.Equal(2, handshakes.Count);
        TestWorld.AssertSameInstant(handshakes[0].Time + lifetime, clientErrorAt);
        Assert.Equal(TlsFailure.SessionExpired, Assert.IsType<TlsHandshakeException>(clientError).Failure);
        Assert.Equal(TlsFailure.SessionExpired, Assert.IsType<TlsHandshakeException>(serverError).Failure);
        Assert.Contains(result.Events<ConnectionReset>(), e => e.Event.Why == "tls session expired");
        Assert.Null(redial);
    }

    [Fact]
    public void ExpiringAProcessesSessionsFailsItsTlsConnectionsOnly()
    {
        Exception? tlsError = null;
        Exception? plainError = null;
        var tlsErrorAt = TimeSpan.Zero;
        var result = TestWorld.Run("tls-expire", ctx =>
        {
            var (m1, m2) = NetworkFaultTests.TwoMachines(ctx);
            ctx.Name("srv.example", "10.0.0.2");
            ctx.Horizon = TimeSpan.FromSeconds(3);
            ctx.At(TimeSpan.FromSeconds(1), new FaultAction.ExpireTls("client"));
            var ca = ctx.Authority("ca");
            var cert = ca.Issue("srv", ["srv.example"], NotBefore, NotAfter);
            ctx.Process("server", m2, async host =>
            {
                using var tls = host.Network.Listen("10.0.0.2", 443, new TlsServerOptions(() => cert));
                using var plain = host.Network.Listen("10.0.0.2", 80);
                await tls.AcceptAsync();
                await plain.AcceptAsync();
                await host.Clock.Delay(TimeSpan.FromHours(1));
            });
            ctx.Process("client", m1, async host =>
            {
                var secure = await host.Network.DialAsync("srv.example", 443, new TlsClientOptions("srv.example", ca.Trust()));
                var clear = await host.Network.DialAsync("srv.example", 80);
                host.Spawn("plain", async _ => plainError = await Record.ExceptionAsync(() => clear.ReceiveAsync()));
                tlsError = await Record.ExceptionAsync(() => secure.ReceiveAsync());
                tlsErrorAt = host.Clock.Elapsed;
            });
        });

        result.AssertClean();
        Assert.Equal(TlsFailure.SessionExpired, Assert.IsType<TlsHandshakeException>(tlsError).Failure);
        Assert.Equal(TimeSpan.FromSeconds(1), tlsErrorAt);
        Assert.Null(plainError);
        Assert.Contains(result.Log.Entries, e => e.Event is FaultAction.ExpireTls { Process: "client", Origin: FaultOrigin.Scripted });
    }

    [Fact]
    public void RotatedCertificateIsPresentedToNewSessionsOnly()
    {
        var seen = new List<long>();
        Exception? oldSessionError = null;
        var result = TestWorld.Run("tls-rotate", ctx =>
        {
            var (m1, m2) = NetworkFaultTests.TwoMachines(ctx);
            ctx.Name("srv.example", "10.0.0.2");
            ctx.Horizon = TimeSpan.FromSeconds(3);
            var ca = ctx.Authority("ca");
            var current = ca.Issue("srv", ["srv.example"], NotBefore, NotAfter);
            var next = ca.Issue("srv", ["srv.example"], NotBefore, NotAfter + TimeSpan.FromDays(30));
            ctx.At(TimeSpan.FromSeconds(1), new FaultAction.Custom("rotate", _ => current = next));
            ctx.Process("server", m2, async host =>
            {
                using var listener = host.Network.Listen("10.0.0.2", 443, new TlsServerOptions(() => current));
                while (true)
                {
                    await listener.AcceptAsync();
                }
            });
            ctx.Process("client", m1, async host =>
            {
                var first = await host.Network.DialAsync("srv.example", 443, new TlsClientOptions("srv.example", ca.Trust()));
                seen.Add(first.PeerCertificate!.Serial);
                host.Spawn("old", async _ => oldSessionError = await Record.ExceptionAsync(() => first.ReceiveAsync()));
                await host.Clock.Delay(TimeSpan.FromSeconds(2));
                var second = await host.Network.DialAsync("srv.example", 443, new TlsClientOptions("srv.example", ca.Trust()));
                seen.Add(second.PeerCertificate!.Serial);
                seen.Add(first.PeerCertificate!.Serial);
            });
        });

        result.AssertClean();
        Assert.Equal([1L, 2L, 1L], seen);
        Assert.Null(oldSessionError);
    }

    [Fact]
    public void RandomTlsExpiriesFailSessionsOfTheChosenProcess()
    {
        var errors = new List<(Exception Error, TimeSpan At)>();
        var sessions = 0;
        var result = TestWorld.Run("tls-random-expiry", ctx =>
        {
            var (m1, m2) = NetworkFaultTests.TwoMachines(ctx);
            ctx.Name("srv.example", "10.0.0.2");
            ctx.Horizon = TimeSpan.FromSeconds(20);
            ctx.Faults(new FaultProfile { Name = "tls", Faults = [new TlsExpiryFault { PerMinute = 20 }] });
            var ca = ctx.Authority("ca");
            var cert = ca.Issue("srv", ["srv.example"], NotBefore, NotAfter);
            ctx.Process("server", m2, async host =>
            {
                using var listener = host.Network.Listen("10.0.0.2", 443, new TlsServerOptions(() => cert));
                while (true)
                {
                    await listener.AcceptAsync();
                }
            });
            ctx.Process("client", m1, async host =>
            {
                while (true)
                {
                    var conn = await host.Network.DialAsync("srv.example", 443, new TlsClientOptions("srv.example", ca.Trust()));
                    sessions++;
                    try
                    {
                        await conn.ReceiveAsync();
                    }
                    catch (NetworkException e)
                    {
                        errors.Add((e, host.Clock.Elapsed));
                    }
                }
            });
        });

        result.AssertClean();
        var expiries = result.Events<FaultAction.ExpireTls>();
        Assert.True(errors.Count >= 2, $"only {errors.Count} sessions failed");
        Assert.Equal(errors.Count + 1, sessions);
        foreach (var (error, at) in errors)
        {
            Assert.Equal(TlsFailure.SessionExpired, Assert.IsType<TlsHandshakeException>(error).Failure);
            Assert.Contains(expiries, e => TestWorld.SameInstant(e.Time, at) && e.Subject is "client" or "server");
        }
    }

    // ---- helpers -------------------------------------------------------------------------------------

    private static TlsServerOptions Server(Certificate certificate, TrustStore? clientTrust = null) => new(() => certificate, clientTrust);

    private static void AssertFails(TlsFailure failure, Outcome outcome)
    {
        var error = Assert.IsType<TlsHandshakeException>(outcome.ClientError);
        Assert.Equal(failure, error.Failure);
        Assert.StartsWith($"TLS {failure}: ", error.Message, StringComparison.Ordinal);
        Assert.False(outcome.Accepted, "the server accepted a connection whose handshake failed");
        Assert.Equal(failure, Assert.Single(outcome.Result.Events<TlsHandshakeFailed>()).Event.Failure);
        Assert.Empty(outcome.Result.Events<TlsEstablished>());
    }

    /// <summary>A client on m1 dials a TLS listener on m2 (srv.example and alias.example resolve to it) once.</summary>
    private static Outcome Handshake(
        Func<CertificateAuthority, CertificateAuthority, (TlsServerOptions Server, TlsClientOptions? Client)> setup,
        TimeSpan clientSkew = default,
        TimeSpan serverSkew = default,
        string dial = "srv.example")
    {
        Exception? clientError = null;
        PeerCertificate? clientSawServer = null;
        PeerCertificate? serverSawClient = null;
        var accepted = false;
        var result = TestWorld.Run("tls", ctx =>
        {
            var (m1, m2) = NetworkFaultTests.TwoMachines(ctx);
            ctx.World.SetClockSkew(m1, clientSkew);
            ctx.World.SetClockSkew(m2, serverSkew);
            ctx.Name("srv.example", "10.0.0.2");
            ctx.Name("alias.example", "10.0.0.2");
            ctx.Horizon = TimeSpan.FromSeconds(2);
            var (server, client) = setup(ctx.Authority("ca"), ctx.Authority("other-ca"));
            ctx.Process("server", m2, async host =>
            {
                using var listener = host.Network.Listen("10.0.0.2", 443, server);
                var conn = await listener.AcceptAsync();
                accepted = true;
                serverSawClient = conn.PeerCertificate;
            });
            ctx.Process("client", m1, async host =>
            {
                try
                {
                    var conn = await host.Network.DialAsync(dial, 443, client);
                    clientSawServer = conn.PeerCertificate;
                }
                catch (NetworkException e)
                {
                    clientError = e;
                }
            });
        });

        result.AssertClean();
        return new Outcome(clientError, clientSawServer, serverSawClient, accepted, result);
    }

    private sealed record Outcome(Exception? ClientError, PeerCertificate? ClientSawServer, PeerCertificate? ServerSawClient, bool Accepted, RunResult Result);
}
