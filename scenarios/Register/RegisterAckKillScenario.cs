using Grpc.Core;
using Sim.Stack.Defects;
using Sim.Stack.Host;
using Sim.Stack.Register;
using Sim.Stack.Rpc;
using Sim.Worlds;

namespace Sim.Scenarios.Register;

/// <summary>
/// Focused, for systematic exploration (Coyote's strength): a primary's acknowledgement against replication to
/// the backup against a kill. Three processes (primary, backup, one client), five writes in two batches — three at
/// once, two on the same key, then two more — and two scripted kills at chosen points, both driven by events, not by
/// the clock: the backup dies the moment the primary holds the backup's confirmation of the second write (what it
/// confirmed must survive) and comes back 30 ms later; once every write has its outcome the primary dies, the client
/// reads both keys (the backup must answer, with every acknowledged write), and the primary comes back once both
/// reads have theirs. Then the client gets one more write acknowledged and reads everything back. No random faults;
/// BUGGIFY on. An iteration is about a hundred steps. The quiet point and the horizon are far out because Coyote may
/// fire the next timer early (virtual time jumps while work is runnable): the scripted kills and the read-back must
/// not be cut off by a clock that jumped. Invariants: those of <see cref="RegisterScenario"/> (model, uniqueness,
/// accounting, eligibility, resources; no prober: its TLS edges are the big scenario's), plus
/// <see cref="FailoverChecker"/> (eligibility of the fallback) and <see cref="BriefOutageChecker"/> (accounting: the backup's
/// 30 ms outage is masked by the primary's retries, every write before the primary's kill is acknowledged).
/// </summary>
public sealed class RegisterAckKillScenario : Scenario
{
    /// <summary>The writes of the two batches, before the primary's kill.</summary>
    private const int FirstWrites = 5;

    /// <summary>
    /// How long the client waits after its writes, so its reads find the primary down (the kill follows the last write's
    /// outcome) and start past <see cref="FailoverChecker.Settle"/> (the kill is a disturbance of its own).
    /// </summary>
    private static readonly TimeSpan ReadAfter = FailoverChecker.Settle + TimeSpan.FromMilliseconds(100);

    public override string Name => "register-ack-kill";

    public override string Description => "focused: a primary's ack vs replication to the backup vs a kill (3 processes, 6 writes, 2 scripted kills)";

    // Not ack-before-flush: it stays the big scenario's alone (its "belongs to scenario 'register'" messages are pinned).
    public override bool Focused => true;

    public override IReadOnlyList<string> Claims => [DefectCatalogue.BackupAcksBeforeFlush, DefectCatalogue.StaleReplicaOverwrite];

    public override void Build(ScenarioContext context)
    {
        // Far out: Coyote's strategies fire timers early (probabilistic most of all), so a deadline may pass at every
        // call for a while; the loop engine ends the run once idle, so the margin costs it nothing.
        context.Horizon = TimeSpan.FromSeconds(120);
        context.QuietAt = TimeSpan.FromSeconds(60);
        context.Faults(FaultProfile.None);

        var (primary, backup) = RegisterDeployment.Place(context, new ServiceOptions());
        var model = new RegisterModel(context, primary, backup);
        _ = new RegisterChecker(context, model);
        _ = new RegisterAccounting(context, model, clients: 1, [primary.Name, backup.Name]);
        _ = new RegisterEligibility(context, model, primary, backup);
        _ = new RegisterLogLines(context);
        _ = new BriefOutageChecker(context, model, primary);
        _ = new FailoverChecker(context, primary, backup);
        _ = new ServerResources(context, [primary, backup]);
        _ = new FailurePolicy(context, primary, RegisterDeployment.ReplicationRetryBackoff);

        var outcomes = new Outcomes(context, "writer");
        var pause = context.Workload.Between(TimeSpan.Zero, TimeSpan.FromMilliseconds(20));
        context.Client("writer", "clients", (host, me) => RunWriterAsync(host, RegisterDeployment.Client(host, me, primary, backup), pause));

        context.Script(async w =>
        {
            var confirmed = 0;
            await w.Until<RpcCompleted>((e, at) => at.Subject == primary.Name && e.Ok && e.Method.EndsWith("/Replicate", StringComparison.Ordinal) && ++confirmed == 2);
            w.Kill(backup);
            await w.Delay(TimeSpan.FromMilliseconds(30));
            w.Start(backup);

            await w.Until(() => outcomes.Writes == FirstWrites);
            w.Kill(primary);
            var readsBefore = outcomes.Reads;
            await w.Until(() => outcomes.Reads >= readsBefore + 2);
            w.Start(primary);
        });
    }

    private static async Task RunWriterAsync(IHost host, RegisterClient client, TimeSpan pause)
    {
        await AllAsync([Try(client.WriteAsync("a", "a1")), Try(client.WriteAsync("a", "a2")), Try(client.WriteAsync("b", "b1"))]);
        await host.Clock.Delay(pause, host.Lifetime);
        await AllAsync([Try(client.WriteAsync("a", "a3")), Try(client.WriteAsync("b", "b2"))]);
        await host.Clock.Delay(ReadAfter, host.Lifetime);
        await Try(client.ReadAsync("a"));
        await Try(client.ReadAsync("b"));

        while (!await Try(client.WriteAsync("c", "c1")))
        {
            await host.Clock.Delay(TimeSpan.FromMilliseconds(50), host.Lifetime);
        }

        foreach (var key in new[] { "a", "b", "c" })
        {
            while (!await Try(client.ReadAsync(key)))
            {
                await host.Clock.Delay(TimeSpan.FromMilliseconds(50), host.Lifetime);
            }
        }

        host.Log.Event(new ClientVerified(3));
    }

    /// <summary>Waits for operations already running side by side (Task.WhenAll's task is not one Coyote controls).</summary>
    private static async Task AllAsync(IReadOnlyList<Task<bool>> running)
    {
        foreach (var operation in running)
        {
            await operation;
        }
    }

    private static async Task<bool> Try(Task operation)
    {
        try
        {
            await operation;
            return true;
        }
        catch (RpcException)
        {
            return false;
        }
    }

    /// <summary>How many writes and reads of one client have had their outcome (what the script waits on).</summary>
    private sealed class Outcomes
    {
        public Outcomes(ScenarioContext context, string client)
        {
            context.On<WriteAcknowledged>((_, at) => Writes += at.Subject == client ? 1 : 0);
            context.On<WriteFailed>((_, at) => Writes += at.Subject == client ? 1 : 0);
            context.On<ReadReturned>((_, at) => Reads += at.Subject == client ? 1 : 0);
            context.On<ReadFailed>((_, at) => Reads += at.Subject == client ? 1 : 0);
        }

        public int Writes { get; private set; }

        public int Reads { get; private set; }
    }
}
