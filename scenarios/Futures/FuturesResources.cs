using Sim.Stack.Futures;
using Sim.Stack.Rpc;
using Sim.Worlds;

namespace Sim.Scenarios.Futures;

/// <summary>
/// Resources, once the run has settled (judged at the horizon, a settling bound after the quiet point): the
/// scheduler holds a session, an open report stream and tasks only for a client that is running (none for one that
/// closed or whose process is gone), every running client is connected to the scheduler's current session for it,
/// a closed client holds no future and buffers nothing, and the scheduler's connections, loops and timers are
/// those its live clients and running tasks justify.
/// </summary>
public sealed class FuturesResources
{
    public const string NothingHeldForGoneClients = "scheduler-holds-nothing-for-closed-or-gone-clients";

    private const string ConnectMethod = "/sim.futures.Scheduler/Connect";

    private readonly ScenarioContext context;
    private readonly FuturesLedger ledger;
    private readonly Live<Scheduler> scheduler;
    private int openStreams;

    public FuturesResources(ScenarioContext context, FuturesLedger ledger, Live<Scheduler> scheduler)
    {
        this.context = context;
        this.ledger = ledger;
        this.scheduler = scheduler;
        context.On<SchedulerUp>((_, at) => openStreams = at.Subject == scheduler.Name ? 0 : openStreams);
        context.On<RpcAccepted>((e, at) => openStreams += at.Subject == scheduler.Name && e.Method == ConnectMethod ? 1 : 0);
        context.On<RpcHandled>((e, at) => openStreams -= at.Subject == scheduler.Name && e.Method == ConnectMethod ? 1 : 0);
        context.Eventually(NothingHeldForGoneClients, () => Sessions() ?? Clients() ?? World());
    }

    /// <summary>Sessions and report streams: one per running client, none for any other.</summary>
    private string? Sessions()
    {
        if (scheduler.Current is not { } real)
        {
            return $"the scheduler is down at the horizon ({scheduler.Process.State})";
        }

        if (real.Sessions.Keys.FirstOrDefault(c => ledger.Clients.GetValueOrDefault(c) is not { Status: ClientStatus.Running }) is { } stale)
        {
            return $"the scheduler still holds a session for {stale}, which is {(ledger.Clients.GetValueOrDefault(stale) is { } c ? c.Status.ToString().ToLowerInvariant() : "no running user's client")}";
        }

        if (real.Tasks.Keys.FirstOrDefault(id => !real.Sessions.ContainsKey(id.Client)) is { Client: not null } orphan)
        {
            return $"the scheduler still holds {orphan}, whose client has no session";
        }

        if (openStreams != real.Sessions.Count)
        {
            return $"the scheduler serves {openStreams} report stream(s) for {real.Sessions.Count} session(s)";
        }

        return null;
    }

    /// <summary>Every running client is connected to its session; a closed one holds nothing.</summary>
    private string? Clients()
    {
        var real = scheduler.Current!;
        foreach (var (id, client) in ledger.Clients)
        {
            if (client.Status == ClientStatus.Running && real.Sessions.GetValueOrDefault(id)?.Token != client.Session)
            {
                return $"{id} is running with session '{client.Session}', but the scheduler's session for it is '{real.Sessions.GetValueOrDefault(id)?.Token ?? "none"}'";
            }

            if (client.Status == ClientStatus.Closed && (client.Held.Any() || client.Buffered.Any()))
            {
                return $"{id} is closed but still holds {client.Held.Count()} future(s) and buffers {client.Buffered.Count()} submission(s)";
            }
        }

        return null;
    }

    /// <summary>What the world says the scheduler holds: connections only from live processes, loops and timers for its streams and tasks.</summary>
    private string? World()
    {
        var real = scheduler.Current!;
        var held = context.World.Resources(scheduler.Process);
        if (held.Connections.FirstOrDefault(c => !c.ServerClosed && !context.World.Process(c.Client).IsUp) is { } dead)
        {
            return $"the scheduler still holds {dead}, whose client process is down";
        }

        var processing = real.Tasks.Values.Count(t => t.State == TaskState.Processing);
        var connections = held.Connections.Count(c => !c.ServerClosed);
        var loops = 1 + connections + processing;
        if (held.RunningLoops > loops)
        {
            return $"the scheduler runs {held.RunningLoops} loop(s), but its listener, {connections} connection(s) and {processing} running task(s) justify {loops}";
        }

        return null;
    }
}
