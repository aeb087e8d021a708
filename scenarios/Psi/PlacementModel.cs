using Sim.Stack.Cluster;
using Sim.Stack.Psi;
using Sim.Worlds;

namespace Sim.Scenarios.Psi;

/// <summary>
/// A reference scheduler per party, driven by the head's typed events: node liveness (registered, declared dead, all
/// forgotten when the head restarts) and CPU slots per node. Model-based and eligibility: every placement is on a node
/// the model holds alive, with enough free slots, and the head's own free count agrees with the model's. Uniqueness: a
/// node id is registered once per head incarnation; an actor is placed once at a time; a party's attempts run one at a
/// time, numbered 1, 2, …; a job ends once; an actor ends once; a node is declared dead once.
/// At each change the head reports, its own node table (liveness, CPU slots used) equals the model's. Node deaths: a node whose
/// agent is killed is declared dead within the node timeout and two health checks (the head up and unpaused meanwhile),
/// and never after a silence longer than the head has known the node; a node-died failure strikes only actors the model
/// holds on the node declared dead. Retries: a retry is placed away from the machines its party's earlier attempts
/// failed on while a live node elsewhere has the slots, and an actor fails unschedulable only when no live node has them.
/// </summary>
public sealed class PlacementModel
{
    public const string Placement = "placement-follows-the-model";
    public const string Unique = "actors-attempts-and-jobs-are-unique";

    private readonly PsiTopology topology;
    private readonly Dictionary<string, Dictionary<string, ModelNode>> nodes = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Dictionary<string, string>> placed = new(StringComparer.Ordinal);
    private readonly Dictionary<string, (int Attempt, bool Open)> attempts = new(StringComparer.Ordinal);
    private readonly HashSet<string> jobsEnded = new(StringComparer.Ordinal);
    private readonly Dictionary<string, HashSet<string>> endedActors = new(StringComparer.Ordinal);
    private readonly Dictionary<string, HashSet<string>> avoided = new(StringComparer.Ordinal);
    private readonly Dictionary<string, (string Party, int Attempt)> actorAttempts = new(StringComparer.Ordinal);
    private readonly List<(string Party, string NodeId, string Machine, TimeSpan Due)> deathsDue = [];
    private readonly Dictionary<(string Party, string Machine), (string NodeId, TimeSpan At)> registered = [];
    private readonly Dictionary<(string Party, string NodeId), TimeSpan> silences = [];

    /// <summary>How long after its agent is killed a node must be declared dead: the node timeout, two health checks, a margin.</summary>
    public static readonly TimeSpan DeathBound = TimeSpan.FromMilliseconds(600);

    public PlacementModel(ScenarioContext context, PsiTopology topology)
    {
        this.topology = topology;
        foreach (var party in topology.Parties)
        {
            nodes[party.Name] = new(StringComparer.Ordinal);
            placed[party.Name] = new(StringComparer.Ordinal);
            endedActors[party.Name] = new(StringComparer.Ordinal);
            avoided[party.Name] = new(StringComparer.Ordinal);
        }

        Deaths(context, topology);
        context.On<HeadLost>((e, at) =>
        {
            var (nodeId, since) = registered.GetValueOrDefault((e.Party, e.Machine));
            var silence = System.Text.RegularExpressions.Regex.Match(e.Reason, "^no answer from the head for ([0-9]+) ms \\([A-Za-z]+\\)$");
            var ms = silence.Success ? int.Parse(silence.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture) : -1;
            var wrong = e.Reason == $"the head no longer knows node {nodeId}" ? null
                : !silence.Success ? $"the reason names neither the node the head forgot ({nodeId}) nor a silence"
                : ms < PsiMultinodeScenario.HeartbeatInterval.TotalMilliseconds * PsiMultinodeScenario.MissedHeartbeats || ms > (at.Time - since).TotalMilliseconds + 1
                    ? $"a silence of {ms} ms is not between the node timeout and the {(at.Time - since).TotalMilliseconds:F0} ms since the node registered"
                : null;
            if (wrong is not null)
            {
                context.Fail(Placement, $"{e.Details}; {wrong}");
            }
        });
        context.On<PsiAttemptStarted>((e, _) => actorAttempts[e.ActorId] = (e.Party, e.Attempt));
        context.On<PsiAttemptFailed>((e, _) =>
        {
            if (e.Machine.Length > 0)
            {
                avoided[e.Party].Add(e.Machine);
            }
        });

        context.On<ProcessStarted>((_, at) =>
        {
            if (topology.Parties.FirstOrDefault(p => p.Head.Name == at.Subject) is { } party)
            {
                // A restarted head remembers nothing: neither do we.
                nodes[party.Name].Clear();
                placed[party.Name].Clear();
                endedActors[party.Name].Clear();
                deathsDue.RemoveAll(d => d.Party == party.Name);
            }
        });
        context.On<NodeRegistered>((e, at) =>
        {
            registered[(e.Party, e.Machine)] = (e.NodeId, at.Time);
            if (!nodes[e.Party].TryAdd(e.NodeId, new ModelNode(e.Machine, e.Cpus) { Since = at.Time }))
            {
                context.Fail(Unique, $"{e.Party}'s head registered {e.NodeId} ({e.Machine}) a second time");
            }
        });
        context.On<NodeDeclaredDead>((e, at) =>
        {
            silences[(e.Party, e.NodeId)] = e.Silent;
            deathsDue.RemoveAll(d => d.Party == e.Party && d.NodeId == e.NodeId);
            if (!nodes[e.Party].TryGetValue(e.NodeId, out var node))
            {
                return;
            }

            if (!node.Alive)
            {
                context.Fail(Unique, $"{e.Details}; it had declared {e.NodeId} dead before");
            }
            else if (e.Silent > at.Time - node.Since)
            {
                context.Fail(Placement, $"{e.Details}; it registered the node only {(at.Time - node.Since).TotalMilliseconds:F0} ms ago");
            }

            node.Alive = false;
        });
        context.On<ActorPlaced>((e, _) => OnPlaced(context, e));
        context.On<ActorUnplaced>((e, _) => Release(e.Party, e.ActorId));
        context.On<ActorEnded>((e, _) =>
        {
            OnEnded(context, e);
            Release(e.Party, e.ActorId);
        });
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

        // After the model took the event in. Compared when the head reports a change to its table (it updates the table, then logs, in one step): between
        // two of its events — Coyote schedules at each — an actor's slots may be freed before its end is logged.
        void Compare()
        {
            if (CompareTables(topology) is { } wrong)
            {
                context.Fail(Placement, wrong);
            }
        }

        context.On<NodeRegistered>((_, _) => Compare());
        context.On<NodeDeclaredDead>((_, _) => Compare());
        context.On<ActorPlaced>((_, _) => Compare());
        context.On<ActorUnplaced>((_, _) => Compare());
        context.On<ActorEnded>((_, _) => Compare());
    }

    /// <summary>
    /// A killed agent's node is owed a death notice from its head, unless the head itself is killed, stopped or paused
    /// first, or is down (killed, stopping or paused, not yet started or resumed) when the agent dies.
    /// </summary>
    private void Deaths(ScenarioContext context, PsiTopology topology)
    {
        static bool HeadDown(PsiParty party) => party.Head.Process is not { IsUp: true, Paused: false, Stopping: false };
        context.On<ProcessKilled>((_, at) =>
        {
            foreach (var party in topology.Parties.Where(p => p.Workers.Any(w => w.Name == at.Subject) && !HeadDown(p)))
            {
                var machine = party.Workers.First(w => w.Name == at.Subject).Machine.Name;
                deathsDue.AddRange(nodes[party.Name].Where(n => n.Value.Alive && n.Value.Machine == machine).Select(n => (party.Name, n.Key, machine, at.Time + DeathBound)));
            }
        });
        void HeadTroubled(string process) => deathsDue.RemoveAll(d => topology.Party(d.Party).Head.Name == process);
        context.On<ProcessKilled>((_, at) => HeadTroubled(at.Subject));
        context.On<ProcessPaused>((_, at) => HeadTroubled(at.Subject));
        context.On<ProcessStopping>((_, at) => HeadTroubled(at.Subject));
        context.Always(Placement, () => deathsDue.FirstOrDefault(d => context.World.Now > d.Due) is { Party: { } party } late
            ? $"{party}'s head had not declared {late.NodeId} ({late.Machine}) dead {DeathBound.TotalMilliseconds:F0} ms after its agent was killed"
            : null);
    }

    /// <summary>The head's node table against the model's, after every step (the head updates both in one step).</summary>
    private string? CompareTables(PsiTopology topology)
    {
        foreach (var party in topology.Parties)
        {
            if (party.Head.Current?.Head is not { } head)
            {
                continue;
            }

            foreach (var entry in head.Nodes)
            {
                if (nodes[party.Name].TryGetValue(entry.NodeId, out var node) && (node.Alive != entry.Alive || node.Used != entry.Used))
                {
                    return $"{party.Name}'s head holds {entry.NodeId} ({entry.Machine}) {(entry.Alive ? "alive" : "dead")} with {entry.Used} CPU slot(s) used; the model: {(node.Alive ? "alive" : "dead")} with {node.Used}";
                }
            }
        }

        return null;
    }

    private void OnEnded(ScenarioContext context, ActorEnded e)
    {
        if (!endedActors[e.Party].Add(e.ActorId))
        {
            context.Fail(Unique, $"{e.Details}; the actor had ended before");
            return;
        }

        var node = placed[e.Party].TryGetValue(e.ActorId, out var nodeId) ? nodes[e.Party].GetValueOrDefault(nodeId) : null;
        if (e.ErrorKind == "node-died" && node is not { Alive: false })
        {
            context.Fail(Placement, $"{e.Details}; the model holds it {(node is null ? "on no node" : $"on {nodeId} ({node.Machine}), alive")}");
        }
        else if (e.ErrorKind == "node-died" && node is not null && NodeDiedCauses(e.Party, nodeId!, node) is var causes && !causes.Contains(e.Cause, StringComparer.Ordinal))
        {
            context.Fail(Placement, $"{e.Details}; the cause must name why the head declared the node dead: {string.Join(" or ", causes.Select(c => $"'{c}'"))}");
        }

        var asked = topology.Party(e.Party).ActorCpus;
        if (e.ErrorKind == "unschedulable" && nodes[e.Party].FirstOrDefault(n => n.Value.Alive && n.Value.Free >= asked) is { Key: { } free })
        {
            context.Fail(Placement, $"{e.Details}; the model has {free} alive with {asked} free slot(s)");
        }
    }

    /// <summary>
    /// What a node-died failure may say: the silence the head declared the node dead for (its NodeDeclaredDead's), or that
    /// the machine's agent registered again, naming the incarnation of the agent process now on the machine.
    /// </summary>
    private string[] NodeDiedCauses(string party, string nodeId, ModelNode node)
    {
        var agent = topology.Party(party).NodeOn(node.Machine);
        return
        [
            $"the node on {node.Machine} died (no heartbeat for {silences.GetValueOrDefault((party, nodeId)).TotalMilliseconds:F0} ms)",
            $"the node on {node.Machine} died (its agent registered again (incarnation {agent?.Incarnation ?? 0}))",
        ];
    }

    private void OnPlaced(ScenarioContext context, ActorPlaced e)
    {
        var party = nodes[e.Party];
        if (actorAttempts.TryGetValue(e.ActorId, out var attempt) && avoided[e.Party].Contains(e.Machine)
            && party.FirstOrDefault(n => n.Value.Alive && n.Value.Free >= e.Cpus && !avoided[e.Party].Contains(n.Value.Machine)) is { Key: { } better })
        {
            context.Fail(Placement, $"{e.Party}'s attempt {attempt.Attempt} ({e.ActorId}) was placed on {e.Machine}, where an earlier attempt failed, while {better} ({party[better].Machine}) had free slots");
        }

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

        /// <summary>When the head registered it.</summary>
        public TimeSpan Since { get; init; }

        public Dictionary<string, int> Actors { get; } = new(StringComparer.Ordinal);
    }
}
