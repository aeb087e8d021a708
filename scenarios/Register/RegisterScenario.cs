using Bogus;
using Grpc.Core;
using Sim.Stack.Host;
using Sim.Stack.Register;
using Sim.Worlds;

namespace Sim.Scenarios.Register;

/// <summary>
/// A primary/backup register on two machines in two sites; clients on a third site write and read
/// through gRPC over TLS (mTLS between the replicas) under kills, restarts, pauses, partitions, clogs,
/// resets and TLS session expiry. Faults stop at the quiet point; then every client reads every key once
/// more. Invariant: no acknowledged write is ever lost or read stale, even after recovery.
/// </summary>
public sealed class RegisterScenario : Scenario
{
    private const int Port = 7000;
    private const int Clients = 3;
    private const int Keys = 4;

    public override string Name => "register";

    public override string Description => "primary/backup register over gRPC+TLS under kills, partitions and TLS expiry; no acknowledged write is lost";

    /// <summary>The scenario's own fault profile.</summary>
    public static FaultProfile Profile { get; } = new()
    {
        Name = "register-chaos",
        Network = new NetworkOptions { DropProbability = 0.01, DuplicateProbability = 0.01, ReorderProbability = 0.02 },
        Faults =
        [
            new KillFault { PerMinute = 8, RestartAfter = DurationRange.Seconds(0.3, 3) },
            new PartitionFault { PerMinute = 4, Lasting = DurationRange.Seconds(1, 5) },
            new ClogFault { PerMinute = 2, OneWay = true },
            new TlsExpiryFault { PerMinute = 4 },
            new ConnectionResetFault { PerMinute = 2 },
            new PauseFault { PerMinute = 2 },
            new ClockSkewFault { PerMinute = 1 },
        ],
    };

    public override void Build(ScenarioContext context)
    {
        context.Horizon = TimeSpan.FromSeconds(40);
        context.QuietAt = TimeSpan.FromSeconds(30);
        context.Faults(Profile);
        var verifyAt = context.EffectiveQuietAt + TimeSpan.FromSeconds(2);

        var ca = context.Authority("register-ca");
        var trust = ca.Trust();
        var notBefore = World.Epoch - TimeSpan.FromDays(1);
        var notAfter = World.Epoch + TimeSpan.FromDays(30);
        var primaryCert = context.Certificate("primary.register", ca, ["primary.register"], TimeSpan.FromDays(30));
        var backupCert = context.Certificate("backup.register", ca, ["backup.register"], TimeSpan.FromDays(30));

        // Certificates rotate while traffic flows: new sessions get the new ones.
        context.At(TimeSpan.FromSeconds(12), new FaultAction.RotateCertificate("primary.register"));
        context.At(TimeSpan.FromSeconds(18), new FaultAction.RotateCertificate("backup.register"));
        var sessionLifetime = TimeSpan.FromSeconds(15);

        var primaryMachine = context.Machine("m-primary", "site-a", "10.0.1.1");
        var backupMachine = context.Machine("m-backup", "site-b", "10.0.2.1");
        context.Name("primary.register", "10.0.1.1");
        context.Name("backup.register", "10.0.2.1");

        context.Process("primary", primaryMachine, host => RegisterReplica.RunAsync(host, new RegisterOptions(
            IsPrimary: true,
            ListenAddress: "10.0.1.1",
            Port: Port,
            ServerTls: new TlsServerOptions(() => primaryCert.Current, SessionLifetime: sessionLifetime),
            BackupHost: "backup.register",
            BackupTls: new TlsClientOptions("backup.register", trust, primaryCert.Current),
            Defects: context.Defects,
            ReplicationTimeout: TimeSpan.FromMilliseconds(500),
            BackgroundFlushInterval: TimeSpan.FromMilliseconds(500))));
        context.Process("backup", backupMachine, host => RegisterReplica.RunAsync(host, new RegisterOptions(
            IsPrimary: false,
            ListenAddress: "0.0.0.0",
            Port: Port,
            ServerTls: new TlsServerOptions(() => backupCert.Current, ClientTrust: trust, SessionLifetime: sessionLifetime),
            BackupHost: null,
            BackupTls: null,
            Defects: context.Defects,
            ReplicationTimeout: TimeSpan.FromMilliseconds(500),
            BackgroundFlushInterval: TimeSpan.FromMilliseconds(500))));

        var checker = new RegisterChecker(context);
        var faker = new Faker { Random = new Randomizer((int)context.Workload.NextUInt64()) };
        var keys = Enumerable.Range(0, Keys).Select(i => $"{faker.Hacker.Noun().Replace(' ', '-')}-{i}").ToList();
        for (var c = 0; c < Clients; c++)
        {
            var machine = context.Machine($"m-client{c}", "site-c", $"10.0.3.{c + 1}");
            var clientFaker = new Faker { Random = new Randomizer((int)context.Workload.NextUInt64()) };
            var clientCert = ca.Issue($"client{c}", [$"client{c}.register"], notBefore, notAfter);
            context.Process($"client{c}", machine, host => RunClientAsync(host, clientFaker, keys, name => new TlsClientOptions(name, trust, clientCert), checker, verifyAt), killable: false);
        }

        context.Eventually(RegisterChecker.FinalReadsComplete, () =>
            checker.FinalReadsDone == Clients ? null : $"only {checker.FinalReadsDone} of {Clients} clients could read every key back after the network healed");
    }

    private static async Task RunClientAsync(IHost host, Faker faker, IReadOnlyList<string> keys, Func<string, TlsClientOptions> tls, RegisterChecker checker, TimeSpan verifyAt)
    {
        var client = new RegisterClient(host, "primary.register", "backup.register", Port, tls, TimeSpan.FromSeconds(1));
        var written = 0;
        while (host.Clock.Elapsed < verifyAt)
        {
            await host.Clock.Delay(TimeSpan.FromMilliseconds(faker.Random.Int(100, 400)), host.Lifetime);
            var key = keys[faker.Random.Int(0, keys.Count - 1)];
            try
            {
                if (faker.Random.Bool(0.5f))
                {
                    var value = $"{faker.Hacker.Verb()}-{host.Name}-{++written}";
                    var version = await client.WriteAsync(key, value);
                    checker.Acknowledged(key, version, value);
                }
                else
                {
                    await ReadAndCheckAsync(host, client, checker, key);
                }
            }
            catch (RpcException)
            {
                // Unavailable or past its deadline: nothing was promised, nothing to check.
            }
        }

        // After the quiet point: every key must read back, at least as new as what was acknowledged.
        foreach (var key in keys)
        {
            while (true)
            {
                try
                {
                    await ReadAndCheckAsync(host, client, checker, key);
                    break;
                }
                catch (RpcException)
                {
                    await host.Clock.Delay(TimeSpan.FromMilliseconds(100), host.Lifetime);
                }
            }
        }

        checker.FinalReadsDone++;
        host.Log.Info("client.verified", $"keys={keys.Count}");
    }

    private static async Task ReadAndCheckAsync(IHost host, RegisterClient client, RegisterChecker checker, string key)
    {
        var floor = checker.ReadStarts(key);
        var reply = await client.ReadAsync(key);
        checker.ReadReturned(host.Name, key, floor, reply.Version, reply.Value, reply.ServedBy);
    }
}
