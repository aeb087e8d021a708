using Grpc.Core;
using Sim.Stack.Host;

namespace Sim.Stack.Futures;

// ---- the scheduler --------------------------------------------------------------------------------------

/// <summary>The scheduler serves (with empty state: it keeps nothing across a crash).</summary>
public sealed record SchedulerUp(int Incarnation) : SimEvent
{
    public override string Kind => "futures.scheduler-up";

    public override string Details => $"incarnation={Incarnation}";
}

/// <summary>A client's report stream opened, for the TLS identity that opened it, with its fencing token.</summary>
public sealed record SessionOpened(string Client, string Identity, string Token) : SimEvent
{
    public override string Kind => "futures.session-open";

    public override string Details => $"client={Client} identity={(Identity.Length == 0 ? "-" : Identity)} session={Token}";
}

/// <summary>A client reconnected while its previous session was still open: the previous one ends, its keys released.</summary>
public sealed record SessionReplaced(string Client, int Released) : SimEvent
{
    public override string Kind => "futures.session-replaced";

    public override string Details => $"client={Client} released={Released}";
}

/// <summary>A client's session ended; its keys are released.</summary>
public sealed record SessionClosed(string Client, int Released) : SimEvent
{
    public override string Kind => "futures.session-closed";

    public override string Details => $"client={Client} released={Released}";
}

/// <summary>The scheduler refused a call: no current session, a session over, or another identity's client id.</summary>
public sealed record CallRefused(string Method, string Client, StatusCode Status) : SimEvent
{
    public override string Kind => "futures.refused";

    public override string Details => $"{Method} client={Client} {Status}";
}

/// <summary>The scheduler took a new task (a retried submission, or one after its cancel, is not one), submitted with session token <paramref name="Session"/>.</summary>
public sealed record TaskAccepted(string Client, string Key, string Session) : SimEvent
{
    public override string Kind => "futures.task-accepted";

    public override string Details => $"client={Client} key={Key} session={Session}";
}

/// <summary>A task's result is in memory and reported to its session.</summary>
public sealed record TaskComputed(string Client, string Key, long Result) : SimEvent
{
    public override string Kind => "futures.task-computed";

    public override string Details => $"client={Client} key={Key} result={Result}";
}

/// <summary>A task's computation raised; the error is reported to its session.</summary>
public sealed record TaskErred(string Client, string Key) : SimEvent
{
    public override string Kind => "futures.task-erred";

    public override string Details => $"client={Client} key={Key}";
}

/// <summary>A client cancelled keys with a reason: the scheduler forgot those it held and remembers every one asked for.</summary>
/// <param name="Requested">The keys the client asked to cancel.</param>
/// <param name="Cancelled">Those the scheduler held and forgot.</param>
/// <param name="Reason">The reason given, empty for none.</param>
public sealed record KeysCancelled(string Client, IReadOnlyList<string> Requested, IReadOnlyList<string> Cancelled, string Reason) : SimEvent
{
    public override string Kind => "futures.cancel";

    public override string Details => $"client={Client} keys={Cancelled.Count}/{Requested.Count} reason={(Reason.Length == 0 ? "-" : Reason)}";
}

/// <summary>An admin restarted the scheduler's state: every connected client is told.</summary>
public sealed record SchedulerRestarted(int Clients, int Forgotten) : SimEvent
{
    public override string Kind => "futures.scheduler-restart";

    public override string Details => $"clients={Clients} forgotten={Forgotten}";
}

// ---- a client -------------------------------------------------------------------------------------------

/// <summary>Something that happened to one client (<see cref="Client"/> is its id, the same across reconnects).</summary>
public abstract record ClientEvent(string Client) : SimEvent;

/// <summary>The client's status changed (running → connecting → running, or closed).</summary>
public sealed record ClientStatusChanged(string Client, ClientStatus Old, ClientStatus New) : ClientEvent(Client)
{
    public override string Kind => "futures.client-status";

    public override string Details => $"client={Client} {Old.ToString().ToLowerInvariant()} -> {New.ToString().ToLowerInvariant()}";
}

/// <summary>The client's report stream started: it is connected to this scheduler incarnation.</summary>
public sealed record ClientConnected(string Client, string Scheduler, int Incarnation, string Session) : ClientEvent(Client)
{
    public override string Kind => "futures.client-connected";

    public override string Details => $"client={Client} scheduler={Scheduler}#{Incarnation} session={Session}";
}

/// <summary>A user submitted a future (sent at once while running, buffered while connecting).</summary>
public sealed record FutureSubmitted(string Client, string Key, int Generation, bool Buffered) : ClientEvent(Client)
{
    public override string Kind => "futures.submit";

    public override string Details => $"client={Client} key={Key} generation={Generation}{(Buffered ? " buffered" : "")}";
}

/// <summary>A future reached its outcome: finished, error, or cancelled with a reason (null for a bare cancellation).</summary>
public sealed record FutureDone(string Client, string Key, FutureStatus Status, string? Reason) : ClientEvent(Client)
{
    public override string Kind => "futures.done";

    public override string Details => $"client={Client} key={Key} {Status.ToString().ToLowerInvariant()}{(Reason is null ? "" : $" reason={Reason}")}";
}

/// <summary>The client cancelled and forgot every future it held of generation <paramref name="Ended"/> and before (that generation ended).</summary>
public sealed record FuturesSwept(string Client, string Reason, int Futures, int Ended) : ClientEvent(Client)
{
    public override string Kind => "futures.client-sweep";

    public override string Details => $"client={Client} reason={Reason} futures={Futures} generation={Ended}";
}

/// <summary>The scheduler told the client it restarted; the client's work now belongs to <paramref name="Session"/>.</summary>
public sealed record RestartReported(string Client, string Session) : ClientEvent(Client)
{
    public override string Kind => "futures.client-restart";

    public override string Details => $"client={Client} session={Session}";
}

/// <summary>The client's report stream broke.</summary>
public sealed record ReportStreamBroke(string Client, StatusCode Status, string Detail) : ClientEvent(Client)
{
    public override string Kind => "futures.client-stream-broke";

    public override string Details => $"client={Client} {Status}: {Detail}";
}

/// <summary>A reconnection attempt starts (every retry interval while connecting).</summary>
public sealed record ReconnectAttempted(string Client) : ClientEvent(Client)
{
    public override string Kind => "futures.client-reconnect";

    public override string Details => $"client={Client}";
}

/// <summary>The reconnect deadline passed: the client closes itself.</summary>
public sealed record ReconnectGaveUp(string Client, TimeSpan Deadline) : ClientEvent(Client)
{
    public override string Kind => "futures.client-gave-up";

    public override string Details => $"client={Client}: failed to reconnect to scheduler after {Deadline.TotalSeconds:F2} seconds, closing client";
}

/// <summary>Sending submissions failed (<paramref name="Key"/>: the first of them); the client retries while the generation lasts.</summary>
public sealed record SubmitFailed(string Client, StatusCode Status, string Key) : ClientEvent(Client)
{
    public override string Kind => "futures.client-submit-failed";

    public override string Details => $"client={Client} {Status} (retrying)";
}
