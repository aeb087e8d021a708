using Sim.Stack.Rpc;
using Sim.Worlds;

namespace Sim.Scenarios.Fleet;

/// <summary>
/// Resources, judged at the horizon (the quiet point plus a settling bound of a quarter of the run): the coordinator
/// holds a connection only for a client that runs and still holds its end; one loop per such connection plus its
/// accept loop; no handler still running a few seconds after its call started (every call carries a 2 s deadline at
/// most); no more armed timers than handlers in flight (a finished call's deadline timer is disarmed; a durable
/// coordinator's handler may also wait on its disk's flush). An honest node or the driver holds at most one connection
/// to the coordinator (one session per client incarnation).
/// </summary>
public sealed class ResourceChecker
{
    public const string ServerHoldsWhatClientsJustify = "server-holds-what-live-clients-justify";

    /// <summary>Longer than any call's deadline.</summary>
    private static readonly TimeSpan Settled = TimeSpan.FromSeconds(3);

    private readonly List<(string Method, long Stream, TimeSpan At)> inFlight = [];

    public ResourceChecker(ScenarioContext context, FleetTopology fleet)
    {
        var coordinator = fleet.Coordinator;
        context.On<ProcessStarted>((_, at) => Reset(at.Subject == coordinator.Name));
        context.On<ProcessKilled>((_, at) => Reset(at.Subject == coordinator.Name));
        context.On<RpcAccepted>((e, at) =>
        {
            if (at.Subject == coordinator.Name)
            {
                inFlight.Add((e.Method, e.Stream, at.Time));
            }
        });
        context.On<RpcHandled>((e, at) =>
        {
            if (at.Subject == coordinator.Name && inFlight.FindIndex(c => c.Method == e.Method && c.Stream == e.Stream) is var i and >= 0)
            {
                inFlight.RemoveAt(i);
            }
        });
        var sessions = fleet.Nodes.Cast<Live>().Concat(fleet.Driver is { } d ? [d] : []).ToList();
        context.Eventually(ServerHoldsWhatClientsJustify, () => coordinator.IsUp ? Judge(context.World, fleet, sessions) : null);
    }

    private void Reset(bool coordinator)
    {
        if (coordinator)
        {
            inFlight.Clear();
        }
    }

    private string? Judge(World world, FleetTopology fleet, IReadOnlyList<Live> sessions)
    {
        var coordinator = fleet.Coordinator;
        var held = world.Resources(coordinator.Process);
        var served = held.Connections.Where(c => c.Server == coordinator.Name && !c.ServerClosed).ToList();
        if (served.FirstOrDefault(c => c.ClientClosed || !world.Process(c.Client).IsUp) is { } orphan)
        {
            return $"{coordinator.Name} still holds {orphan}, whose client {(orphan.ClientClosed ? "closed its end" : "is down")}: {held}";
        }

        if (held.RunningLoops > served.Count + 1)
        {
            return $"{coordinator.Name} runs {held.RunningLoops} loop(s) for {served.Count} connection(s) and its accept loop: {held}";
        }

        var now = world.Now;
        if (inFlight.FirstOrDefault(c => now - c.At > Settled) is { Method: not null } stuck)
        {
            return $"{coordinator.Name}'s handler of {stuck.Method} (stream {stuck.Stream}) still runs {(now - stuck.At).TotalSeconds:F1}s after its call started";
        }

        // A durable coordinator's handler may also be waiting on its disk's flush: one timer more per call in flight.
        var perCall = fleet.Durable ? 2 : 1;
        if (held.PendingTimers > inFlight.Count * perCall)
        {
            return $"{coordinator.Name} has {held.PendingTimers} armed timer(s) for {inFlight.Count} call(s) in flight{(fleet.Durable ? " (two each at most: a deadline and a disk flush)" : "")}: {held}";
        }

        foreach (var client in sessions.Where(s => s.IsUp))
        {
            var mine = world.Resources(client.Process).With(coordinator.Name).Where(c => !c.ClientClosed).ToList();
            if (mine.Count > 1)
            {
                return $"{client.Name} holds {mine.Count} connections to {coordinator.Name}: {string.Join(", ", mine)}";
            }
        }

        return null;
    }
}
