namespace Sim.Worlds;

/// <summary>What a process's current incarnation holds at one moment (<see cref="World.Resources"/>).</summary>
/// <param name="Process">The process.</param>
/// <param name="Incarnation">Its incarnation.</param>
/// <param name="Up">Whether it runs (a down process holds nothing).</param>
/// <param name="Listeners">Its listeners, <c>address:port</c>.</param>
/// <param name="Connections">Connections not yet closed on both sides of which it holds an end.</param>
/// <param name="PendingTimers">Virtual-time sleeps it armed that have neither fired nor been cancelled.</param>
/// <param name="RunningLoops">Background loops it spawned that are still running.</param>
public sealed record ProcessResources(
    string Process,
    int Incarnation,
    bool Up,
    IReadOnlyList<string> Listeners,
    IReadOnlyList<OpenConnection> Connections,
    int PendingTimers,
    int RunningLoops)
{
    /// <summary>The connections whose other end is held by <paramref name="peer"/>.</summary>
    public IReadOnlyList<OpenConnection> With(string peer) =>
        [.. Connections.Where(c => (c.Client == Process && c.Server == peer) || (c.Server == Process && c.Client == peer))];

    public override string ToString() =>
        $"{Process}#{Incarnation}: {Listeners.Count} listener(s), {Connections.Count} connection(s) [{string.Join(", ", Connections)}], {PendingTimers} timer(s), {RunningLoops} loop(s)";
}

/// <summary>A connection that is not closed on both sides yet.</summary>
/// <param name="Id">Its id (as the event log names it, <c>conn=N</c>).</param>
/// <param name="Client">The dialing process.</param>
/// <param name="Server">The accepting process.</param>
/// <param name="Tls">Whether it runs over TLS.</param>
/// <param name="Opened">When it was established (virtual time).</param>
/// <param name="ClientClosed">The client closed its end (or it broke): the client holds nothing any more.</param>
/// <param name="ServerClosed">The server closed its end (or it broke).</param>
public sealed record OpenConnection(long Id, string Client, string Server, bool Tls, TimeSpan Opened, bool ClientClosed, bool ServerClosed)
{
    public override string ToString() => $"conn={Id} {Client}->{Server} since {Opened.TotalSeconds:F3}s{(ClientClosed ? " client-closed" : "")}{(ServerClosed ? " server-closed" : "")}";
}
