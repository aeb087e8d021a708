using Grpc.Core;
using Sim.Stack.Defects;
using Sim.Stack.Host;
using Sim.Stack.Register;
using Sim.Stack.Rpc;
using Sim.Worlds;

namespace Sim.Scenarios.Register;

/// <summary>
/// Focused, for systematic exploration (Coyote's strength): a primary's acknowledgement against replication to
/// the backup against a kill. Three processes (primary, backup, one client), six writes — three of them at once,
/// two on the same key — and two scripted kills at chosen points: the backup dies the moment the primary holds
/// the backup's confirmation of a second write (what it confirmed must survive), and later the primary dies while
/// the client reads (the backup must answer, with every acknowledged write). No random faults; BUGGIFY on. An
/// iteration is a few virtual seconds and a few hundred steps. Invariants: those of <see cref="RegisterScenario"/>
/// (model, uniqueness, accounting, eligibility; resources), plus <see cref="FailoverChecker"/>.
/// </summary>
public sealed class RegisterAckKillScenario : Scenario
{
    private static readonly TimeSpan PrimaryDown = TimeSpan.FromSeconds(1.0);
    private static readonly TimeSpan PrimaryUp = TimeSpan.FromSeconds(1.6);

    public override string Name => "register-ack-kill";

    public override string Description => "focused: a primary's ack vs replication to the backup vs a kill (3 processes, 6 writes, 2 scripted kills)";

    public override IReadOnlyList<string> Claims => [DefectCatalogue.AckBeforeFlush, DefectCatalogue.BackupAcksBeforeFlush, DefectCatalogue.StaleReplicaOverwrite];

    public override void Build(ScenarioContext context)
    {
        context.Horizon = TimeSpan.FromSeconds(3.5);
        context.QuietAt = TimeSpan.FromSeconds(2);
        context.Faults(FaultProfile.None);

        var (primary, backup) = RegisterDeployment.Place(context, new ServiceOptions());
        var model = new RegisterModel(context, primary, backup);
        _ = new RegisterChecker(context, model);
        _ = new RegisterAccounting(context, model, clients: 1);
        _ = new RegisterEligibility(context, model, primary, backup);
        _ = new FailoverChecker(context, primary, backup);
        _ = new ServerResources(context, [primary, backup]);

        var pause = context.Workload.Between(TimeSpan.Zero, TimeSpan.FromMilliseconds(20));
        var verifyAt = context.EffectiveQuietAt + TimeSpan.FromMilliseconds(100);
        context.Client("writer", "clients", (host, me) => RunWriterAsync(host, RegisterDeployment.Client(host, me, primary, backup), pause, verifyAt));

        context.Script(async w =>
        {
            var confirmed = 0;
            await w.Until<RpcCompleted>((e, at) => at.Subject == primary.Name && e.Ok && e.Method.EndsWith("/Replicate", StringComparison.Ordinal) && ++confirmed == 2);
            w.Kill(backup);
            await w.Delay(TimeSpan.FromMilliseconds(30));
            w.Start(backup);
            await w.At(PrimaryDown);
            w.Kill(primary);
            await w.At(PrimaryUp);
            w.Start(primary);
        });
    }

    private static async Task RunWriterAsync(IHost host, RegisterClient client, TimeSpan pause, TimeSpan verifyAt)
    {
        await host.Clock.Delay(TimeSpan.FromMilliseconds(50), host.Lifetime);
        await Task.WhenAll(Try(client.WriteAsync("a", "a1")), Try(client.WriteAsync("a", "a2")), Try(client.WriteAsync("b", "b1")));
        await host.Clock.Delay(pause, host.Lifetime);
        await Task.WhenAll(Try(client.WriteAsync("a", "a3")), Try(client.WriteAsync("b", "b2")));
        await UntilAsync(host, PrimaryDown + TimeSpan.FromMilliseconds(200));
        await Try(client.ReadAsync("a"));
        await Try(client.ReadAsync("b"));

        await UntilAsync(host, verifyAt);
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

    private static Task UntilAsync(IHost host, TimeSpan at) => host.Clock.Delay(at > host.Clock.Elapsed ? at - host.Clock.Elapsed : TimeSpan.Zero, host.Lifetime);

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
}
