using Bogus;
using Grpc.Core;
using Sim.Stack.Defects;
using Sim.Stack.Host;
using Sim.Stack.Register;
using Sim.Worlds;

namespace Sim.Scenarios.Register;

/// <summary>
/// A primary/backup register on two machines in two sites; clients on a third site write and read
/// through gRPC over TLS (mTLS between the replicas) under kills, restarts, pauses, partitions, clogs,
/// resets and TLS session expiry. Faults stop at the quiet point; then every client reads every key once
/// more. Invariants (<see cref="RegisterChecker"/>, from the clients' typed events) — model: no acknowledged
/// write is ever lost or read stale, even after recovery; liveness: every client reads every key back.
/// </summary>
public sealed class RegisterScenario : Scenario
{
    private const int Port = 7000;
    private const int Clients = 3;
    private const int Keys = 4;

    public override string Name => "register";

    public override string Description => "primary/backup register over gRPC+TLS under kills, partitions and TLS expiry; no acknowledged write is lost";

    public override IReadOnlyList<string> Claims => [DefectCatalogue.AckBeforeFlush];

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

        // Certificates rotate while traffic flows: new sessions get the new ones.
        context.At(TimeSpan.FromSeconds(12), new FaultAction.RotateCertificate("primary"));
        context.At(TimeSpan.FromSeconds(18), new FaultAction.RotateCertificate("backup"));

        var tls = new ServiceOptions { SessionLifetime = TimeSpan.FromSeconds(15) };
        var backup = context.Service("backup", "dc-b", Port, (host, me) =>
            RegisterReplica.RunAsync(host, Replica(context, me, primary: false, null)), tls with { MutualTls = true });
        var primary = context.Service("primary", "dc-a", Port, (host, me) =>
            RegisterReplica.RunAsync(host, Replica(context, me, primary: true, backup)), tls);

        var checker = new RegisterChecker(context);
        var faker = Fakers(context, 1)[0];
        var keys = Enumerable.Range(0, Keys).Select(i => $"{faker.Hacker.Noun().Replace(' ', '-')}-{i}").ToList();
        var fakers = Fakers(context, Clients);
        context.Clients("client", ["clients"], Clients, (host, me) =>
            RunClientAsync(host, new RegisterClient(host, primary.DnsName, backup.DnsName, Port, me.TlsTo, TimeSpan.FromSeconds(1)), fakers[me.Index], keys, verifyAt));

        context.Eventually(RegisterChecker.FinalReadsComplete, () =>
            checker.FinalReadsDone == Clients ? null : $"only {checker.FinalReadsDone} of {Clients} clients could read every key back after the network healed");
    }

    private static RegisterOptions Replica(ScenarioContext context, Live me, bool primary, Live? backup) => new(
        IsPrimary: primary,
        ListenAddress: primary ? me.Address : "0.0.0.0",
        Port: Port,
        ServerTls: me.ServerTls,
        BackupHost: backup?.DnsName,
        BackupTls: backup is null ? null : me.TlsTo(backup),
        Defects: context.Defects,
        ReplicationTimeout: TimeSpan.FromMilliseconds(500),
        BackgroundFlushInterval: TimeSpan.FromMilliseconds(500));

    private static List<Faker> Fakers(ScenarioContext context, int count) =>
        [.. Enumerable.Range(0, count).Select(_ => new Faker { Random = new Randomizer((int)context.Workload.NextUInt64()) })];

    private static async Task RunClientAsync(IHost host, RegisterClient client, Faker faker, IReadOnlyList<string> keys, TimeSpan verifyAt)
    {
        var written = 0;
        while (host.Clock.Elapsed < verifyAt)
        {
            await host.Clock.Delay(TimeSpan.FromMilliseconds(faker.Random.Int(100, 400)), host.Lifetime);
            var key = keys[faker.Random.Int(0, keys.Count - 1)];
            try
            {
                await (faker.Random.Bool(0.5f) ? (Task)client.WriteAsync(key, $"{faker.Hacker.Verb()}-{host.Name}-{++written}") : client.ReadAsync(key));
            }
            catch (RpcException)
            {
                // Unavailable or past its deadline: nothing was promised, nothing to check.
            }
        }

        // After the quiet point: every key must read back, at least as new as what was acknowledged.
        foreach (var key in keys)
        {
            while (!await ReadsBackAsync(client, key))
            {
                await host.Clock.Delay(TimeSpan.FromMilliseconds(100), host.Lifetime);
            }
        }

        host.Log.Event(new ClientVerified(keys.Count));
    }

    private static async Task<bool> ReadsBackAsync(RegisterClient client, string key)
    {
        try
        {
            await client.ReadAsync(key);
            return true;
        }
        catch (RpcException)
        {
            return false;
        }
    }
}
