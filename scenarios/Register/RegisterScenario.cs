using Bogus;
using Grpc.Core;
using Sim.Stack.Defects;
using Sim.Stack.Host;
using Sim.Stack.Register;
using Sim.Worlds;

namespace Sim.Scenarios.Register;

/// <summary>
/// A primary/backup register on two machines in two sites; clients on a third site write, read and scan
/// through gRPC over TLS (mTLS between the replicas) under kills, restarts, pauses, partitions, clogs,
/// resets, TLS session expiry and clock skew, while a prober on a fourth site breaks every rule it can. Faults
/// stop at the quiet point; then every client gets one more write acknowledged and reads every key back.
/// Invariants, by class:
/// - model (<see cref="RegisterModel"/>, after every step): each serving replica holds every acknowledged write
///   (no-lost-acknowledged-write); the backup is never ahead of the primary; reads and scans return at least
///   what was acknowledged before they started (<see cref="RegisterChecker"/>);
/// - uniqueness (<see cref="RegisterModel"/>): a version, once acknowledged or confirmed by the backup, has one
///   value forever; a scan lists each key once (<see cref="RegisterChecker"/>);
/// - accounting (<see cref="RegisterAccounting"/>): every write, read and scan has exactly one outcome; an
///   acknowledged write carries the version the primary gave it; reads return only values written there
///   (<see cref="RegisterChecker"/>); after the quiet point every client writes and reads everything back; every
///   failure names its cause, a status with a detail (<see cref="FailurePolicy"/>);
/// - eligibility (<see cref="RegisterEligibility"/>): only the primary gives versions; replicas hold only what the
///   primary wrote (replication from anyone else leaves no trace);
/// - security probes (<see cref="ProbeChecker"/>, <see cref="RegisterProbe"/>): replication from a client certificate,
///   replication to the primary, a write to the backup, the primary dialed by address, no / untrusted / just expired
///   / not yet valid / just valid client certificates, each checked for its own expected outcome;
/// - resources (<see cref="ServerResources"/>): at the horizon each replica holds one listener, no half-closed
///   connection, no call in flight, no armed timer, and only the loops its connections justify; a primary retries
///   replication with its backoff, never in a storm (<see cref="FailurePolicy"/>).
/// </summary>
public sealed class RegisterScenario : Scenario
{
    private const int Clients = 3;
    private const int Keys = 4;

    public override string Name => "register";

    public override string Description => "primary/backup register over gRPC+TLS under kills, partitions and TLS expiry; no acknowledged write is lost";

    public override IReadOnlyList<string> Claims => [DefectCatalogue.AckBeforeFlush, DefectCatalogue.BackupAcksBeforeFlush, DefectCatalogue.StaleReplicaOverwrite];

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

        var (primary, backup) = RegisterDeployment.Place(context, new ServiceOptions { SessionLifetime = TimeSpan.FromSeconds(15) });
        var model = new RegisterModel(context, primary, backup);
        _ = new RegisterChecker(context, model);
        _ = new RegisterAccounting(context, model, Clients, [primary.Name, backup.Name]);
        _ = new RegisterEligibility(context, model, primary, backup);
        _ = new RegisterLogLines(context);
        _ = new ServerResources(context, [primary, backup]);
        _ = new FailurePolicy(context, primary, RegisterDeployment.ReplicationRetryBackoff);
        var probes = new ProbeChecker(context, "prober", backup);

        var faker = Fakers(context, 1)[0];
        var keys = Enumerable.Range(0, Keys).Select(i => $"{faker.Hacker.Noun().Replace(' ', '-')}-{i}").ToList();
        var fakers = Fakers(context, Clients);
        context.Clients("client", ["clients"], Clients, (host, me) =>
            RunClientAsync(host, RegisterDeployment.Client(host, me, primary, backup), fakers[me.Index], keys, verifyAt));
        context.Client("prober", "outside", (host, me) =>
            new RegisterProbe(host, context, primary, backup, me, () => host.Clock.Elapsed >= verifyAt && probes.AllDecided).RunAsync());
    }

    private static List<Faker> Fakers(ScenarioContext context, int count) =>
        [.. Enumerable.Range(0, count).Select(_ => new Faker { Random = new Randomizer((int)context.Workload.NextUInt64()) })];

    private static async Task RunClientAsync(IHost host, RegisterClient client, Faker faker, IReadOnlyList<string> keys, TimeSpan verifyAt)
    {
        var written = 0;
        while (host.Clock.Elapsed < verifyAt)
        {
            await host.Clock.Delay(TimeSpan.FromMilliseconds(faker.Random.Int(100, 400)), host.Lifetime);
            var key = keys[faker.Random.Int(0, keys.Count - 1)];
            var roll = faker.Random.Int(0, 19);
            await Succeeds(() => roll < 9 ? (Task)client.WriteAsync(key, $"{faker.Hacker.Verb()}-{host.Name}-{++written}")
                : roll < 18 ? client.ReadAsync(key) : client.ScanAsync(key[..faker.Random.Int(0, 3)]));
        }

        // After the quiet point: a write of its own is acknowledged, then every key reads back (at least as new as
        // what was acknowledged), then one scan lists them all.
        var own = $"{host.Name}-last";
        await UntilAsync(host, () => client.WriteAsync(own, $"last-{host.Name}-{++written}"));
        foreach (var key in keys.Append(own))
        {
            await UntilAsync(host, () => client.ReadAsync(key));
        }

        await UntilAsync(host, () => client.ScanAsync(""));
        host.Log.Event(new ClientVerified(keys.Count + 1));
    }

    private static async Task UntilAsync(IHost host, Func<Task> operation)
    {
        while (!await Succeeds(operation))
        {
            await host.Clock.Delay(TimeSpan.FromMilliseconds(100), host.Lifetime);
        }
    }

    /// <summary>Runs one operation; false when it failed (unavailable or past its deadline: nothing was promised).</summary>
    private static async Task<bool> Succeeds(Func<Task> operation)
    {
        try
        {
            await operation();
            return true;
        }
        catch (RpcException)
        {
            return false;
        }
    }
}
