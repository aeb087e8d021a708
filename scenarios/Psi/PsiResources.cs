using System.Globalization;

namespace Sim.Scenarios.Psi;

/// <summary>
/// An agent that lost its head runs no actor from the moment it says so. Resources at the horizon, when every job has ended: no actor runs on any node, no head holds a forwarding proxy, no
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
        context.Eventually(Invariant, () => Check(context, topology));
    }

    private string? Check(ScenarioContext context, PsiTopology topology)
    {
        foreach (var party in topology.Parties)
        {
            if (party.Head.Current is { } head && head.Head.Proxies.Count > 0)
            {
                return $"{party.Head.Name} still forwards for {string.Join(", ", head.Head.Proxies.Select(p => $"{p.Key} -> {p.Value}"))}";
            }

            var agents = party.Workers.Select(w => (w.Name, Agent: w.Current)).Append((party.Head.Name, Agent: party.Head.Current?.Agent));
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
