using Sim.Stack.Fleet;
using Sim.Worlds;

namespace Sim.Scenarios.Fleet;

/// <summary>
/// The reference model of the coordinator: a <see cref="ModelState"/> driven by the changes the coordinator reports
/// (<see cref="FleetChange"/>, one per write of its durable backend) and by its restarts. An in-memory coordinator
/// restarts empty; a durable one must recover a state it was actually in (one of the states after its writes since
/// the last restart) and no older than the last one its disk flushed (<see cref="DiskFlushed"/> makes the oldest
/// buffered writes durable, as the simulated disk does), from which the model goes on. Time is the model's own: the coordinator's clock is virtual time
/// plus its machine's skew, read from the world.
/// </summary>
/// <remarks>
/// The model subscribes to the base type <see cref="FleetChange"/>: a checker subscribed to an exact change type is
/// called first, so it judges each decision against the state before it.
/// </remarks>
public sealed class FleetModel
{
    private readonly ScenarioContext context;
    private readonly List<ModelState> history = [];
    private bool recovering;

    /// <summary>How many of the writes since the coordinator's start its disk has made durable (history[flushed] is the newest durable state).</summary>
    private int flushed;

    public FleetModel(ScenarioContext context, Live<Coordinator> coordinator, bool durable)
    {
        this.context = context;
        Coordinator = coordinator;
        Durable = durable;
        history.Add(State.Clone());
    }

    public Live<Coordinator> Coordinator { get; }

    public bool Durable { get; }

    public ModelState State { get; private set; } = new();

    /// <summary>How many times the coordinator started so far.</summary>
    public int Starts { get; private set; }

    /// <summary>The coordinator's wall clock now: virtual time plus its machine's skew.</summary>
    public DateTime CoordinatorNow => World.Epoch + context.World.Now + Coordinator.Machine.ClockSkew;

    /// <summary>Whether the coordinator counts node <paramref name="id"/> online now.</summary>
    public bool IsOnline(long id) => State.Nodes.TryGetValue(id, out var entry) && entry.OnlineUntil > CoordinatorNow;

    /// <summary>The node ids the coordinator counts online now, in order.</summary>
    public IReadOnlyList<long> Online => [.. State.Nodes.Values.Where(n => n.OnlineUntil > CoordinatorNow).Select(n => n.NodeId).Order()];

    /// <summary>The key that holds node <paramref name="id"/>, or null.</summary>
    public string? Owner(long id) => State.Nodes.TryGetValue(id, out var entry) ? entry.KeyHex : null;

    /// <summary>Starts following the coordinator (after the checkers that judge decisions against the state before them).</summary>
    public void Attach()
    {
        context.On<FleetChange>((change, at) =>
        {
            if (at.Subject == Coordinator.Name)
            {
                Apply(change);
            }
        });
        context.On<DiskFlushed>((e, at) =>
        {
            if (at.Subject == Coordinator.Name && Durable)
            {
                // As the disk commits: the oldest min(n, buffered) writes.
                flushed += Math.Min(e.Writes, history.Count - 1 - flushed);
            }
        });
        context.On<CoordinatorUp>((_, at) =>
        {
            if (at.Subject != Coordinator.Name)
            {
                return;
            }

            Starts++;
            if (Durable)
            {
                recovering = true;
            }
            else
            {
                State = new ModelState();
            }
        });
    }

    /// <summary>
    /// The first way the running coordinator's state differs from the model, or null. Right after a durable restart the
    /// recovered state must be one of the states the coordinator was in since its previous start; the model adopts it.
    /// </summary>
    public string? Difference()
    {
        if (Coordinator.Current is not { } running)
        {
            return null;
        }

        if (!recovering)
        {
            return State.Difference(running.State);
        }

        recovering = false;
        for (var i = history.Count - 1; i >= flushed; i--)
        {
            if (history[i].Difference(running.State) is null)
            {
                State = history[i].Clone();
                history.Clear();
                history.Add(State.Clone());
                flushed = 0;
                return null;
            }
        }

        var older = history.Take(flushed).Any(h => h.Difference(running.State) is null);
        return older
            ? $"the durable backend recovered a state older than the {flushed} write(s) its disk had flushed since its previous start: against the newest flushed: {history[flushed].Difference(running.State)}"
            : $"the durable backend recovered a state the coordinator was never in since its previous start ({history.Count} state(s)); against the latest: {history[^1].Difference(running.State)}";
    }

    private void Apply(FleetChange change)
    {
        var s = State;
        switch (change)
        {
            case NodeCreated c:
                s.Nodes[c.Node] = new NodeEntry(c.Node, c.Key, c.OnlineUntil, c.Interval);
                s.KeyToNode[c.Key] = c.Node;
                s.NextNodeId = c.Node + 1;
                break;
            case NodeReclaimed r:
                s.Nodes.Remove(r.Node);
                s.KeyToNode.Remove(r.Key);
                s.Pending.Remove(r.Node);
                break;
            case NodeDeleted d:
                s.Nodes.Remove(d.Node);
                s.KeyToNode.Remove(d.Key);
                s.Pending.Remove(d.Node);
                break;
            case NodePinged p:
                s.Nodes[p.Node] = new NodeEntry(p.Node, p.Key, p.OnlineUntil, p.Interval);
                break;
            case TasksQueued q:
                foreach (var task in q.Accepted)
                {
                    (s.Pending.TryGetValue(task.Node, out var list) ? list : s.Pending[task.Node] = []).Add(task.Task);
                }

                break;
            case TasksHandedOut h:
                s.Pending.Remove(h.Node);
                break;
            case ResultsStored r:
                foreach (var result in r.Stored)
                {
                    s.Results[result.Task] = result.Node;
                }

                break;
            case ResultsDelivered d:
                foreach (var task in d.Tasks)
                {
                    s.Results.Remove(task);
                }

                break;
            case RunCreated r:
                s.Runs[r.Run] = r.Fab;
                s.NextRunId = r.Run + 1;
                break;
            default:
                throw new InvalidOperationException($"the fleet model does not know the change {change.GetType().Name}");
        }

        if (Durable)
        {
            history.Add(s.Clone());
        }
    }
}
