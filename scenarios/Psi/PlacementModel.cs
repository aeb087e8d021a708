using Sim.Stack.Cluster;
using Sim.Stack.Psi;
using Sim.Worlds;

namespace Sim.Scenarios.Psi;

/// <summary>
/// A reference scheduler per party, driven by the head's typed events: node liveness (registered, declared dead, all
/// forgotten when the head restarts) and CPU slots per node. Model-based and eligibility: every placement is on a node
/// the model holds alive, with enough free slots, and the head's own free count agrees with the model's. Uniqueness: a
/// node id is registered once per head incarnation; an actor is placed once at a time; a party's attempts run one at a
/// time, numbered 1, 2, …; a job ends once.
/// </summary>
public sealed class PlacementModel
{
    public const string Placement = "placement-follows-the-model";
    public const string Unique = "actors-attempts-and-jobs-are-unique";

    private readonly Dictionary<string, Dictionary<string, ModelNode>> nodes = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Dictionary<string, string>> placed = new(StringComparer.Ordinal);
    private readonly Dictionary<string, (int Attempt, bool Open)> attempts = new(StringComparer.Ordinal);
    private readonly HashSet<string> jobsEnded = new(StringComparer.Ordinal);

    public PlacementModel(ScenarioContext context, PsiTopology topology)
    {
        foreach (var party in topology.Parties)
        {
            nodes[party.Name] = new(StringComparer.Ordinal);
            placed[party.Name] = new(StringComparer.Ordinal);
        }

        context.On<ProcessStarted>((_, at) =>
        {
            if (topology.Parties.FirstOrDefault(p => p.Head.Name == at.Subject) is { } party)
            {
                // A restarted head remembers nothing: neither do we.
                nodes[party.Name].Clear();
                placed[party.Name].Clear();
            }
        });
        context.On<NodeRegistered>((e, _) =>
        {
            if (!nodes[e.Party].TryAdd(e.NodeId, new ModelNode(e.Machine, e.Cpus)))
            {
                context.Fail(Unique, $"{e.Party}'s head registered {e.NodeId} ({e.Machine}) a second time");
            }
        });
        context.On<NodeDeclaredDead>((e, _) =>
        {
            if (nodes[e.Party].TryGetValue(e.NodeId, out var node))
            {
                node.Alive = false;
            }
        });
        context.On<ActorPlaced>((e, _) => OnPlaced(context, e));
        context.On<ActorUnplaced>((e, _) => Release(e.Party, e.ActorId));
        context.On<ActorEnded>((e, _) => Release(e.Party, e.ActorId));
        context.On<PsiAttemptStarted>((e, _) =>
        {
            var (last, open) = attempts.GetValueOrDefault(e.Party);
            if (open || e.Attempt != last + 1)
            {
                context.Fail(Unique, $"{e.Party} started attempt {e.Attempt} {(open ? $"while attempt {last} was still running" : $"after attempt {last}")}");
            }

            attempts[e.Party] = (e.Attempt, true);
        });
        context.On<PsiAttemptFailed>((e, _) => attempts[e.Party] = (e.Attempt, false));
        context.On<PsiJobEnded>((e, _) =>
        {
            if (!jobsEnded.Add(e.Party))
            {
                context.Fail(Unique, $"{e.Party}'s job ended a second time: {e.Details}");
            }
        });
    }

    private void OnPlaced(ScenarioContext context, ActorPlaced e)
    {
        var party = nodes[e.Party];
        if (!party.TryGetValue(e.NodeId, out var node) || !node.Alive)
        {
            context.Fail(Placement, $"{e.Party}'s head placed {e.ActorId} on {e.NodeId} ({e.Machine}), which {(node is null ? "never registered with it" : "it had declared dead")}");
            return;
        }

        if (node.Free != e.FreeBefore || node.Free < e.Cpus)
        {
            context.Fail(Placement, $"{e.Party}'s head placed {e.ActorId} ({e.Cpus} CPU) on {e.NodeId} ({e.Machine}) saying {e.FreeBefore} slot(s) were free; the model has {node.Free} of {node.Cpus}");
            return;
        }

        if (placed[e.Party].ContainsKey(e.ActorId))
        {
            context.Fail(Unique, $"{e.Party}'s head placed {e.ActorId} on {e.Machine} while it was placed on {placed[e.Party][e.ActorId]}");
            return;
        }

        node.Used += e.Cpus;
        node.Actors[e.ActorId] = e.Cpus;
        placed[e.Party][e.ActorId] = e.NodeId;
    }

    private void Release(string party, string actorId)
    {
        if (placed[party].Remove(actorId, out var nodeId) && nodes[party].TryGetValue(nodeId, out var node) && node.Actors.Remove(actorId, out var cpus))
        {
            node.Used -= cpus;
        }
    }

    private sealed class ModelNode(string machine, int cpus)
    {
        public string Machine { get; } = machine;

        public int Cpus { get; } = cpus;

        public int Used { get; set; }

        public int Free => Cpus - Used;

        public bool Alive { get; set; } = true;

        public Dictionary<string, int> Actors { get; } = new(StringComparer.Ordinal);
    }
}
