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

/// <summary>A client's report stream opened (a reconnect replaces its previous session).</summary>
public sealed record SessionOpened(string Client) : SimEvent
{
    public override string Kind => "futures.session-open";

    public override string Details => $"client={Client}";
}

/// <summary>A client's session ended; its keys are released.</summary>
public sealed record SessionClosed(string Client) : SimEvent
{
    public override string Kind => "futures.session-closed";

    public override string Details => $"client={Client}";
}

/// <summary>The scheduler forgot keys a client cancelled, with the client's reason.</summary>
/// <param name="Reason">The reason given, empty for none.</param>
public sealed record KeysCancelled(string Client, int Keys, string Reason) : SimEvent
{
    public override string Kind => "futures.cancel";

    public override string Details => $"client={Client} keys={Keys} reason={(Reason.Length == 0 ? "-" : Reason)}";
}

/// <summary>An admin restarted the scheduler's state: every connected client is told.</summary>
public sealed record SchedulerRestarted(int Clients) : SimEvent
{
    public override string Kind => "futures.scheduler-restart";

    public override string Details => $"clients={Clients}";
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
public sealed record ClientConnected(string Client, string Scheduler, int Incarnation) : ClientEvent(Client)
{
    public override string Kind => "futures.client-connected";

    public override string Details => $"client={Client} scheduler={Scheduler}#{Incarnation}";
}

/// <summary>The client cancelled and forgot every future it held (one generation ended).</summary>
public sealed record FuturesSwept(string Client, string Reason, int Futures) : ClientEvent(Client)
{
    public override string Kind => "futures.client-sweep";

    public override string Details => $"client={Client} reason={Reason} futures={Futures}";
}

/// <summary>The scheduler told the client it restarted.</summary>
public sealed record RestartReported(string Client) : ClientEvent(Client)
{
    public override string Kind => "futures.client-restart";

    public override string Details => $"client={Client}";
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

/// <summary>Sending submissions failed; the client retries while the generation lasts.</summary>
public sealed record SubmitFailed(string Client, StatusCode Status) : ClientEvent(Client)
{
    public override string Kind => "futures.client-submit-failed";

    public override string Details => $"client={Client} {Status} (retrying)";
}
