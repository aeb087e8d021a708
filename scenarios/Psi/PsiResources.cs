using System.Globalization;
using Sim.Worlds;

namespace Sim.Scenarios.Psi;

/// <summary>
/// An agent that lost its head runs no actor from the moment it says so. Kills: a driver that gave up on an attempt
/// because its head did not answer kills the attempt's actor (or says the head stayed silent) before it starts the
/// next attempt or ends its job; once the head confirms a kill of an actor that was pending or running, no agent of the
/// party runs it and the head forwards nothing for it; once it confirms a kill of one it was still to take in, or of one
/// pending or running, the actor is never placed or started again. Resources at the horizon, when every job has ended: no actor runs on any node, no head holds a forwarding proxy, no
/// process listens on the link port, and each cluster process listens only on its own control ports (the head on its
/// control and node ports, a worker on its node port). Membership: every node process that is up is registered with its
/// party's head, alive, under the id its agent holds (a restarted head's nodes have all joined it again) — unless the
/// head declared its node dead within the last <see cref="Settle"/> (dropped frames delay heartbeats to the end: the
/// agent is still on its way back).
/// </summary>
public sealed class PsiResources
{
    public const string Invariant = "psi-resources-released";

    /// <summary>Time for a node declared dead to learn it from a heartbeat's answer and register again, with retransmits.</summary>
    public static readonly TimeSpan Settle = TimeSpan.FromSeconds(1);

    private readonly Dictionary<string, TimeSpan> lastDeath = new(StringComparer.Ordinal);

    public PsiResources(ScenarioContext context, PsiTopology topology)
    {
        context.On<Sim.Stack.Cluster.NodeDeclaredDead>((e, at) => lastDeath[e.Machine] = at.Time);
        context.On<Sim.Stack.Cluster.HeadLost>((e, _) =>
        {
            // Actors do not outlive their head: the agent says it stopped them, so it runs none from then on.
            var party = topology.Party(e.Party);
            var agent = party.Head.Machine.Name == e.Machine ? party.Head.Current?.Agent : party.Workers.FirstOrDefault(w => w.Machine.Name == e.Machine)?.Current;
            if (agent is { Running.Count: > 0 })
            {
                context.Fail(Invariant, $"{e.Details}; its agent still runs {string.Join(", ", agent.Running)}");
            }
        });
        Kills(context, topology);
        context.Eventually(Invariant, () => Check(context, topology));
    }

    private static void Kills(ScenarioContext context, PsiTopology topology)
    {
        var owed = new Dictionary<string, (int Attempt, string ActorId)>(StringComparer.Ordinal);
        var actorIds = new Dictionary<(string Party, int Attempt), string>();
        context.On<Sim.Stack.Psi.PsiAttemptStarted>((e, _) => actorIds[(e.Party, e.Attempt)] = e.ActorId);
        context.On<Sim.Stack.Psi.PsiAttemptFailed>((e, _) =>
        {
            if (e.ErrorKind == Sim.Stack.Psi.PsiJob.HeadLost)
            {
                owed[e.Party] = (e.Attempt, actorIds.GetValueOrDefault((e.Party, e.Attempt)) ?? "?");
            }
        });
        // What the party's head answered a kill for (the driver's claim of a confirmed kill is judged against it).
        var headKilled = new HashSet<(string Party, string ActorId)>();
        context.On<Sim.Stack.Psi.PsiActorKilled>((e, _) =>
        {
            if (!owed.Remove(e.Party, out var due) || due != (e.Attempt, e.ActorId))
            {
                context.Fail(Invariant, $"{e.Details}; {(due == default ? "no attempt of the party was given up for a silent head" : $"the attempt given up was {due.Attempt} ({due.ActorId})")}");
            }
            else if (e.Confirmed && !headKilled.Contains((e.Party, e.ActorId)))
            {
                context.Fail(Invariant, $"{e.Details}; {e.Party}'s head never answered a kill of {e.ActorId}");
            }
        });
        void Unkilled(string party, string what)
        {
            if (owed.GetValueOrDefault(party) is { ActorId: { } actorId } due)
            {
                context.Fail(Invariant, $"{what}, but its attempt {due.Attempt} ({actorId}), given up for a silent head, was never killed");
            }
        }

        context.On<Sim.Stack.Psi.PsiAttemptStarted>((e, _) => Unkilled(e.Party, $"{e.Party} started attempt {e.Attempt}"));
        context.On<Sim.Stack.Psi.PsiJobEnded>((e, _) => Unkilled(e.Party, $"{e.Party}'s job ended"));

        var killed = new Dictionary<string, string>(StringComparer.Ordinal);
        context.On<ProcessStarted>((_, at) =>
        {
            // A restarted head forgot its kills along with its actors (and its nodes stopped theirs).
            foreach (var party in topology.Parties.Where(p => p.Head.Name == at.Subject))
            {
                foreach (var id in killed.Where(k => k.Value == party.Name).Select(k => k.Key).ToList())
                {
                    killed.Remove(id);
                }
            }
        });
        context.On<Sim.Stack.Cluster.ActorKilled>((e, _) =>
        {
            headKilled.Add((e.Party, e.ActorId));
            if (!e.Stopped || e.Was is not ("pending" or "running" or "unknown"))
            {
                return;
            }

            killed[e.ActorId] = e.Party;
            if (e.Was == "unknown")
            {
                // Not taken in by this head: only a node of its previous incarnation may still run it, until its agent
                // hears that head is gone (and stops everything before it joins this one).
                return;
            }

            var party = topology.Party(e.Party);
            var agents = Agents(party);
            if (agents.FirstOrDefault(a => a.Agent is { } agent && agent.Running.Contains(e.ActorId)) is { Name: { } runs })
            {
                context.Fail(Invariant, $"{e.Details}; {runs} still runs it");
            }
            else if (party.Head.Current?.Head.Proxies.ContainsKey(e.ActorId) == true)
            {
                context.Fail(Invariant, $"{e.Details}; the head still forwards for it");
            }
        });
        context.On<Sim.Stack.Cluster.ActorPlaced>((e, _) =>
        {
            if (killed.ContainsKey(e.ActorId))
            {
                context.Fail(Invariant, $"{e.Details}; its driver had killed it");
            }
        });
        context.On<Sim.Stack.Cluster.ActorStarted>((e, _) =>
        {
            if (killed.ContainsKey(e.ActorId))
            {
                context.Fail(Invariant, $"{e.Details}; its driver had killed it");
            }
        });
    }

    /// <summary>The party's node agents by process name (each worker's, then the head's): null while the process is down.</summary>
    private static IEnumerable<(string Name, Sim.Stack.Cluster.NodeAgent? Agent)> Agents(PsiParty party) =>
        party.Workers.Select(w => (w.Name, Agent: w.Current)).Append((party.Head.Name, Agent: party.Head.Current?.Agent));

    private string? Check(ScenarioContext context, PsiTopology topology)
    {
        foreach (var party in topology.Parties)
        {
            if (party.Head.Current is { } head && head.Head.Proxies.Count > 0)
            {
                return $"{party.Head.Name} still forwards for {string.Join(", ", head.Head.Proxies.Select(p => $"{p.Key} -> {p.Value}"))}";
            }

            var agents = Agents(party);
            if (agents.FirstOrDefault(a => a.Agent is { Running.Count: > 0 }) is { Agent: { } busy } found)
            {
                return $"{found.Name} still runs {string.Join(", ", busy.Running)}";
            }

            if (party.Head.Current is { } up && Unregistered(party, up, m => context.World.Now - lastDeath.GetValueOrDefault(m, TimeSpan.MinValue / 2) < Settle) is { } missing)
            {
                return missing;
            }

            foreach (var node in party.Nodes.Where(n => n.IsUp))
            {
                var allowed = node == party.Head ? new[] { PsiTopology.HeadPort, PsiTopology.NodePort } : [PsiTopology.NodePort];
                var listeners = context.World.Resources(node.Process).Listeners;
                var stray = listeners.Where(l => !allowed.Any(p => l == $"{node.Address}:{p.ToString(CultureInfo.InvariantCulture)}")).ToList();
                if (stray.Count > 0)
                {
                    return $"{node.Name} still listens on {string.Join(", ", stray)} (only its control ports should remain)";
                }
            }
        }

        return null;
    }

    private static string? Unregistered(PsiParty party, PartyHead head, Func<string, bool> settling)
    {
        var agents = party.Workers.Select(w => (Live: (Live)w, Agent: w.Current)).Append((Live: party.Head, Agent: head.Agent));
        foreach (var (live, agent) in agents.Where(a => a.Agent is not null && !settling(a.Live.Machine.Name)))
        {
            if (agent!.NodeId is not { } id || !head.Head.Nodes.Any(n => n.NodeId == id && n.Alive && n.Machine == live.Machine.Name))
            {
                return $"{live.Name} is up but its head holds no live node {agent.NodeId ?? "(none: unregistered)"} on {live.Machine.Name}";
            }
        }

        return null;
    }
}
