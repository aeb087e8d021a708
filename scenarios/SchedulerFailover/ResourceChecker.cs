using Sim.Stack.Rpc;
using Sim.Worlds;

namespace Sim.Scenarios.SchedulerFailover;

/// <summary>
/// Resources at the horizon (faults quiet, jobs ended): every process holds at most one connection to each server it
/// talks to (redials after store restarts and partitions never pile up), the store serves no more calls than one
/// watch per replica and worker plus the calls those processes may have in flight and feeds no more watches than one
/// per replica and worker (a watch whose caller left is dropped), and every process's loops are
/// its own standing ones (accept loop, watch, elector, reconciler, heartbeat, submitter, prober) plus one per open
/// connection and one per attempt a worker still runs.
/// </summary>
public sealed class ResourceChecker
{
    public const string Invariant = "scheduler-resources-settle";

    private readonly Dictionary<string, int> inFlight = new(StringComparer.Ordinal);

    public ResourceChecker(ScenarioContext context, SchedulerTopology topology)
    {
        context.On<ProcessStarted>((_, at) => inFlight[at.Subject] = 0);
        context.On<RpcAccepted>((_, at) => inFlight[at.Subject] = inFlight.GetValueOrDefault(at.Subject) + 1);
        context.On<RpcHandled>((_, at) => inFlight[at.Subject] = inFlight.GetValueOrDefault(at.Subject) - 1);
        context.Eventually(Invariant, () => Check(context, topology));
    }

    /// <summary>The loops a process runs for itself: a replica its accept loop, watch, elector and reconciler; a worker its heartbeat and watch; the store its accept loop; a user its submitter and poller; the intruder and the rogue replica their probers.</summary>
    private static int Standing(string process) =>
        process == RogueReplica.Name ? 1
        : process.StartsWith("replica", StringComparison.Ordinal) ? 4
        : process.StartsWith("worker", StringComparison.Ordinal) || process.StartsWith("user", StringComparison.Ordinal) ? 2
        : 1;

    private string? Check(ScenarioContext context, SchedulerTopology topology)
    {
        foreach (var process in context.World.Processes.Where(p => p.IsUp).OrderBy(p => p.Name, StringComparer.Ordinal))
        {
            var held = context.World.Resources(process);
            var mine = held.Connections.Where(c => c.Client == process.Name && !c.ClientClosed).ToList();
            if (mine.GroupBy(c => c.Server).FirstOrDefault(g => g.Count() > 1) is { } piled)
            {
                return $"{process.Name} holds {piled.Count()} connections to {piled.Key}: {string.Join(", ", piled)}";
            }

            var served = held.Connections.Count(c => c.Server == process.Name && !c.ServerClosed);
            var running = topology.Workers.FirstOrDefault(w => w.Name == process.Name)?.Current is { } agent ? agent.Started.Count : 0;
            var loops = Standing(process.Name) + mine.Count + served + running;
            if (held.RunningLoops > loops)
            {
                return $"{process.Name} runs {held.RunningLoops} loops; its standing ones, {mine.Count + served} connection(s) and {running} attempt(s) justify {loops}: {held}";
            }
        }

        var clients = topology.Replicas.Count(r => r.IsUp) + topology.Workers.Count(w => w.IsUp);
        var calls = inFlight.GetValueOrDefault(topology.Store!.Name);
        var watches = topology.Store.Current?.Watchers ?? 0;
        return calls > 3 * clients
            ? $"the store serves {calls} calls at the horizon; {clients} replicas and workers justify a watch and two calls each"
            : watches > clients
            ? $"the store feeds {watches} watches at the horizon; {clients} replicas and workers justify one each"
            : null;
    }
}
