using Sim.Worlds;

namespace Sim.Scenarios.Fleet;

/// <summary>
/// What can make a call between two processes fail or run late, and when, from the world's own events: a process
/// killed, started, stopped, paused, slowed, its disk stalled, a BUGGIFY path it took, a dial it failed; a connection
/// between the two reset or one of its frames lost, dropped, reordered or held; the link between their machines cut
/// or clogged; a DNS change. The call-accounting checker asks whether anything of the kind touched a failed call.
/// </summary>
public sealed class Disturbances
{
    private const string Everyone = "*";

    /// <summary>
    /// Slack before a call's start: a fault's effect outlives its instant (a BUGGIFY close or a dropped frame's FIN is seen
    /// only when the retransmission lands, up to a few hundred milliseconds later, by the next call on that connection).
    /// </summary>
    private static readonly TimeSpan Slack = TimeSpan.FromSeconds(1);

    private readonly Dictionary<string, List<(TimeSpan From, TimeSpan To)>> spans = new(StringComparer.Ordinal);
    private readonly Dictionary<long, string> connections = [];
    private readonly Dictionary<string, TimeSpan> openSince = new(StringComparer.Ordinal);

    public Disturbances(ScenarioContext context)
    {
        context.On<ProcessKilled>((_, at) =>
        {
            Close(Process(at.Subject), at.Time);
            Close(Stop(at.Subject), at.Time);
            Instant(Process(at.Subject), at.Time);
        });
        context.On<ProcessStarted>((_, at) =>
        {
            Close(Stop(at.Subject), at.Time);
            Instant(Process(at.Subject), at.Time);
        });
        context.On<ProcessStopping>((_, at) => openSince.TryAdd(Stop(at.Subject), at.Time));
        context.On<ProcessPaused>((_, at) => openSince[Process(at.Subject)] = at.Time);
        context.On<ProcessResumed>((_, at) => Close(Process(at.Subject), at.Time));
        context.On<BuggifyFired>((_, at) => Instant(Process(at.Subject), at.Time));
        context.On<DialFailed>((_, at) => Instant(Process(at.Subject), at.Time));
        context.On<FaultAction.SlowDown>((e, at) => Span(Process(e.Process), at.Time, at.Time + e.For));
        context.On<FaultAction.StallDisk>((e, at) => Span(Process(e.Process), at.Time, at.Time + e.For));
        context.On<FaultAction.ExpireTls>((e, at) => Instant(Process(e.Process), at.Time));
        context.On<ClockSkewed>((_, at) => Instant(Clock(at.Subject), at.Time));
        context.On<FaultAction.MoveName>((_, at) => Instant(Everyone, at.Time));
        context.On<Connected>((e, at) => connections[e.Connection] = Pair(at.Subject, e.Server));
        context.On<ConnectionReset>((e, at) => Instant(Pair(e.Client, e.Server), at.Time));
        context.On<FrameLost>((e, at) => Frame(e.Connection, at.Time));
        context.On<FrameDropped>((e, at) => Frame(e.Connection, at.Time));
        context.On<FrameReordered>((e, at) => Frame(e.Connection, at.Time));
        context.On<FrameHeld>((e, at) => Frame(e.Connection, at.Time));
        context.On<LinkCut>((e, at) => openSince.TryAdd(Link(e.From, e.To), at.Time));
        context.On<LinkHealed>((e, at) => Close(Link(e.From, e.To), at.Time));
        context.On<LinkClogged>((e, at) => Span(Link(e.From, e.To), at.Time, e.Until));
    }

    /// <summary>
    /// Whether anything could have disturbed a call of <paramref name="client"/> to <paramref name="server"/> in flight over [from, to].
    /// The server's graceful stop counts; the client's own does not (the caller judges what its own stop explains).
    /// </summary>
    public bool Disturbed(Live client, Live server, TimeSpan from, TimeSpan to)
    {
        from -= Slack;
        var (a, b) = (client.Machine.Name, server.Machine.Name);
        foreach (var key in new[] { Process(client.Name), Process(server.Name), Stop(server.Name), Clock(a), Clock(b), Pair(client.Name, server.Name), Link(a, b), Link(b, a), Everyone })
        {
            if ((spans.TryGetValue(key, out var list) && list.Any(s => s.From <= to && s.To >= from))
                || (openSince.TryGetValue(key, out var since) && since <= to))
            {
                return true;
            }
        }

        return false;
    }

    private static string Process(string name) => "p:" + name;

    private static string Stop(string name) => "s:" + name;

    private static string Clock(string machine) => "k:" + machine;

    private static string Pair(string client, string server) => $"c:{client}|{server}";

    private static string Link(string from, string to) => $"m:{from}>{to}";

    private void Frame(long connection, TimeSpan at)
    {
        if (connections.TryGetValue(connection, out var pair))
        {
            Instant(pair, at);
        }
    }

    private void Instant(string key, TimeSpan at) => Span(key, at, at);

    private void Span(string key, TimeSpan from, TimeSpan to) => (spans.TryGetValue(key, out var list) ? list : spans[key] = []).Add((from, to));

    private void Close(string key, TimeSpan at)
    {
        if (openSince.Remove(key, out var since))
        {
            Span(key, since, at);
        }
    }
}
