using System.Globalization;
using Sim.Stack.Fleet;
using Sim.Worlds;

namespace Sim.Scenarios.Fleet;

/// <summary>
/// What happened to whom in a fleet run, told from the nodes' typed events: each node's incarnations, what it
/// saw (one line per stretch of work, not one per task), the hostile probes' tallies and the coordinator's registry.
/// </summary>
public sealed class FleetAccount
{
    private readonly Dictionary<string, Story> stories = new(StringComparer.Ordinal);

    public FleetAccount(ScenarioContext context, FleetTopology fleet, TaskLedger ledger, SecurityChecker security, IReadOnlyList<NodeCredentials> honest)
    {
        var (coordinator, nodes, probes) = (fleet.Coordinator, fleet.Nodes, fleet.Probers);
        foreach (var node in nodes)
        {
            stories[node.Name] = new Story();
        }

        context.On<ProcessStarted>((e, at) => stories.GetValueOrDefault(at.Subject)?.Started(e.Incarnation));
        context.On<NodeEvent>((e, at) => stories.GetValueOrDefault(at.Subject)?.Saw(e, at.Time));
        context.Account(() => nodes
            .SelectMany(n => n.Last is not { } node ? [] : new[] { $"{n.Name}: node {node.NodeId}, {node.TasksDone} task(s) in its current incarnation, ping loop {(node.PingLoopAlive ? "alive" : "DEAD: " + node.PingLoopDeath)}" }
                .Concat(stories[n.Name].Lines.Select(l => "    " + l)))
            .Concat(probes.Select(p => $"{p.Name}: {p.Last}"))
            .Concat(probes.Count > 0 ? [Verdicts(security)] : [])
            .Concat(fleet.Driver is { } driver ? [$"{driver.Name}: {driver.Last}", Ledger(ledger)] : [])
            .Concat(coordinator.Last is not { } c ? [] : [$"{coordinator.Name}: {c.State.Nodes.Count} node(s) registered, {c.State.Results.Count} result(s), {c.Rejections} rejection(s) since its last start", RegistryOutcome(c, honest)]));
    }

    /// <summary>How many answers of each probe kind the security checker judged (and left unjudged: transport failures, a stamp on an edge).</summary>
    private static string Verdicts(SecurityChecker security) =>
        "probes judged: " + string.Join(", ", Enum.GetValues<ProbeKind>().Select(k => security.Tally.TryGetValue(k, out var t) ? $"{k} {t.Judged}{(t.Unjudged > 0 ? $" (+{t.Unjudged} unjudged)" : "")}" : $"{k} 0"));

    /// <summary>The tasks' outcomes, counted by the stage they ended in.</summary>
    private static string Ledger(TaskLedger ledger) =>
        "tasks: " + string.Join(", ", ledger.Tasks.GroupBy(t => t.Abandoned && t.Stage != TaskStage.Lost ? "given up" : t.Stage.ToString().ToLowerInvariant()).OrderBy(g => g.Key, StringComparer.Ordinal).Select(g => $"{g.Count()} {g.Key}"));

    /// <summary>Which honest nodes' keys end the run registered (the outcome both backends must agree on).</summary>
    public static string RegistryOutcome(Coordinator coordinator, IReadOnlyList<NodeCredentials> honest) =>
        "registry outcome: " + string.Join(", ", honest.Select((c, i) =>
            $"node{i}={(coordinator.State.KeyToNode.TryGetValue(Convert.ToHexStringLower(c.PublicKey), out var id) && coordinator.State.Nodes.ContainsKey(id) ? "registered" : "absent")}"));

    /// <summary>One node's lines.</summary>
    private sealed class Story
    {
        private int incarnation;
        private (TimeSpan Since, int Tasks)? stretch;

        public List<string> Lines { get; } = [];

        public void Started(int next) => (incarnation, stretch) = (next, null);

        public void Saw(NodeEvent e, TimeSpan at)
        {
            if (e is WorkReceived work)
            {
                // One line per stretch of work: consecutive pulls extend the last line.
                var (since, tasks) = stretch is { } s ? (s.Since, s.Tasks + work.Tasks.Count) : (at, work.Tasks.Count);
                if (stretch is not null)
                {
                    Lines.RemoveAt(Lines.Count - 1);
                }

                stretch = (since, tasks);
                Lines.Add($"{Seconds(since)} #{incarnation} got work: {tasks} task(s){(since == at ? "" : $" until {Seconds(at)}")}");
                return;
            }

            stretch = null;
            Lines.Add($"{Seconds(at)} #{incarnation} {e.Details}");
        }

        private static string Seconds(TimeSpan t) => t.TotalSeconds.ToString("F3", CultureInfo.InvariantCulture) + "s";
    }
}
