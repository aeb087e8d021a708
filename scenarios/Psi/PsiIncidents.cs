using Sim.Stack.Cluster;
using Sim.Stack.Psi;

namespace Sim.Scenarios.Psi;

/// <summary>The run's scripted incident, timed by what the stack reports (typed events), not by the clock.</summary>
public static class PsiIncidents
{
    public static readonly TimeSpan Wait = TimeSpan.FromSeconds(2);

    public static void Script(ScenarioContext context, PsiTopology topology, PsiWorkload workload)
    {
        var victim = topology.Party(workload.Victim);
        switch (workload.Incident)
        {
            case PsiIncident.KillActorMachine:
                context.Script(
                    async w =>
                    {
                        // The machine dies while masked points flow: its agent (and the actor in it) is killed.
                        if (await w.Until<ActorPlaced>(e => e.Party == victim.Name, Wait) is not { } placed
                            || await w.Until<PsiBatchSent>(e => e.Party == victim.Name, Wait) is null
                            || victim.NodeOn(placed.Machine) is not { } node)
                        {
                            return;
                        }

                        w.Kill(node);
                        await w.Delay(TimeSpan.FromSeconds(1));
                        w.Start(node);
                    },
                    "kill-actor-machine");
                break;
            case PsiIncident.RestartHead:
                context.Script(
                    async w =>
                    {
                        if (await w.Until<PsiHandshake>(e => e.Party == victim.Name, Wait) is null)
                        {
                            return;
                        }

                        w.Kill(victim.Head);
                        await w.Delay(workload.HeadDowntime);
                        w.Start(victim.Head);
                    },
                    "restart-head");
                break;
            default:
                break;
        }
    }
}
