using Sim.Stack.Futures;
using Sim.Worlds;

namespace Sim.Scenarios.Futures;

/// <summary>
/// A reference model of every futures client, driven by the clients' typed events and compared with the real
/// clients after every step. Model: status (running → connecting → running, or closed), the futures held (each
/// submitted one until its outcome), those buffered while connecting (sent at the next connection), and the
/// session token. Uniqueness: one outcome per future — an outcome for a future the client no longer holds is a
/// second one. Eligibility: a future finishes only with a result the scheduler computed for the client's current
/// session; a sweep leaves nothing held.
/// </summary>
public sealed class ClientModel
{
    public const string MatchesModel = "client-matches-its-model";
    public const string OneOutcomePerFuture = "one-outcome-per-future";

    private readonly ScenarioContext context;
    private readonly FuturesLedger ledger;
    private readonly SchedulerModel scheduler;
    private readonly Dictionary<string, Model> clients = new(StringComparer.Ordinal);

    public ClientModel(ScenarioContext context, FuturesLedger ledger, SchedulerModel scheduler)
    {
        this.context = context;
        this.ledger = ledger;
        this.scheduler = scheduler;
        context.On<ClientStatusChanged>((e, at) => StatusChanged(e, at));
        context.On<ClientConnected>((e, _) =>
        {
            // Connected: what was buffered is sent now.
            Of(e.Client).Token = e.Session;
            Of(e.Client).Buffered.Clear();
        });
        context.On<RestartReported>((e, _) =>
        {
            // Every future held when the client learns of the restart is owed a cancellation for it.
            Of(e.Client).Token = e.Session;
            Of(e.Client).OwedRestart.UnionWith(Of(e.Client).Held.Keys);
        });
        context.On<FutureSubmitted>((e, at) => Submitted(e, at));
        context.On<FutureDone>((e, at) => Done(e, at));
        context.On<FuturesSwept>((e, at) => Swept(e, at));
        context.Always(MatchesModel, Compare);
        context.Eventually(MatchesModel, () => clients.Where(c => c.Value.OwedRestart.Count > 0 || c.Value.SweptUntold.Values.Any(n => n > 0)).Select(c => c.Key).Order(StringComparer.Ordinal).FirstOrDefault() is { } id
            ? $"{id} {(clients[id].OwedRestart.Count > 0 ? $"still holds {string.Join(", ", clients[id].OwedRestart.Order(StringComparer.Ordinal))}, pending when it learnt the scheduler restarted" : $"cancelled {string.Join(", ", clients[id].SweptUntold.Where(n => n.Value > 0).Select(n => $"{n.Value} future(s) for {n.Key}"))} without a sweep that tells it")}"
            : null);
    }

    /// <summary>The reasons a sweep cancels with (a user's cancel never gives them).</summary>
    private static bool IsSweep(string? reason) => reason is FuturesClient.ConnectionLost or FuturesClient.SchedulerRestart or FuturesClient.ClientClosed;

    private void Swept(FuturesSwept e, LoggedEvent at)
    {
        var model = Of(e.Client);
        // Futures submitted while the sweep ran belong to the next generation and stay.
        if (model.Held.Where(h => h.Value <= e.Ended).Select(h => h.Key).Order(StringComparer.Ordinal).ToList() is { Count: > 0 } stale)
        {
            context.Fail(MatchesModel, $"at {at.Time.TotalSeconds:F3}s {e.Client} swept its futures of generation {e.Ended} ({e.Reason}) but still holds {string.Join(", ", stale)}");
        }

        // What the sweep tells is what it cancelled (a bare cancellation of the bare-cancel defect names no reason to count).
        model.SweptUntold[e.Reason] = Math.Max(0, model.SweptUntold.GetValueOrDefault(e.Reason) - e.Futures);
        model.Ended = e.Ended;
    }

    private Model Of(string client) => clients.TryGetValue(client, out var model) ? model : clients[client] = new Model();

    private void StatusChanged(ClientStatusChanged e, LoggedEvent at)
    {
        var model = Of(e.Client);
        if (model.Status != e.Old || model.Status == ClientStatus.Closed)
        {
            context.Fail(MatchesModel, $"at {at.Time.TotalSeconds:F3}s {e.Client} went {e.Old} -> {e.New}, but its model was {model.Status}{(model.Status == ClientStatus.Closed ? " (a closed client stays closed)" : "")}");
        }

        model.Status = e.New;
    }

    private void Submitted(FutureSubmitted e, LoggedEvent at)
    {
        var model = Of(e.Client);
        if (model.Status == ClientStatus.Closed || e.Buffered != (model.Status != ClientStatus.Running) || !model.Keys.Add(e.Key))
        {
            context.Fail(MatchesModel, $"at {at.Time.TotalSeconds:F3}s {e.Client} took future {e.Key} ({(e.Buffered ? "buffered" : "sent")}) while {model.Status}{(model.Keys.Contains(e.Key) ? ", a key it had already used" : "")}");
        }

        // A generation ends only by bumping: new work is never of a generation that already ended, or older than earlier work.
        if (e.Generation <= model.Ended || e.Generation < model.Generation)
        {
            context.Fail(MatchesModel, $"at {at.Time.TotalSeconds:F3}s {e.Client} took future {e.Key} in generation {e.Generation}, after generation {Math.Max(model.Ended, model.Generation - 1)}{(e.Generation <= model.Ended ? " had ended" : " had work")}");
        }

        model.Generation = Math.Max(model.Generation, e.Generation);
        model.Held[e.Key] = e.Generation;
        if (e.Buffered)
        {
            model.Buffered.Add(e.Key);
        }
    }

    private void Done(FutureDone e, LoggedEvent at)
    {
        var model = Of(e.Client);
        if (!model.Held.Remove(e.Key))
        {
            context.Fail(OneOutcomePerFuture, $"at {at.Time.TotalSeconds:F3}s {e.Client}'s future {e.Key} became {e.Status.ToString().ToLowerInvariant()}{(e.Reason is null ? "" : $" ({e.Reason})")}, but the client no longer held it: {(model.Keys.Contains(e.Key) ? "a second outcome" : "a future it never had")}");
            return;
        }

        model.Buffered.Remove(e.Key);
        if (e.Status == FutureStatus.Cancelled && IsSweep(e.Reason))
        {
            model.SweptUntold[e.Reason!] = model.SweptUntold.GetValueOrDefault(e.Reason!) + 1;
        }

        // Owed to the restart: cancelled for it (or by the user, or a close, racing it), never finished or lost with the connection.
        if (model.OwedRestart.Remove(e.Key) && (e.Status != FutureStatus.Cancelled || e.Reason == FuturesClient.ConnectionLost))
        {
            context.Fail(MatchesModel, $"at {at.Time.TotalSeconds:F3}s {e.Client}'s future {e.Key} became {e.Status.ToString().ToLowerInvariant()}{(e.Reason is null ? "" : $" ({e.Reason})")}, but it was pending when the client learnt the scheduler restarted: it is owed a cancellation for the restart");
        }

        if (e.Status is FutureStatus.Finished or FutureStatus.Error && scheduler.ComputedIn(new TaskId(e.Client, e.Key)) is var token && token != model.Token)
        {
            context.Fail(MatchesModel, $"at {at.Time.TotalSeconds:F3}s {e.Client}'s future {e.Key} became {e.Status.ToString().ToLowerInvariant()}, but the scheduler {(token is null ? "never computed it" : $"computed it for session {token}, not the client's current session {model.Token}")}");
        }
    }

    private string? Compare()
    {
        foreach (var (id, client) in ledger.Clients)
        {
            var model = Of(id);
            if (client.Status != model.Status || client.Session != model.Token)
            {
                return $"{id} is {client.Status} with session '{client.Session}', its model {model.Status} with session '{model.Token}'";
            }

            if (Differs(client.Held.Select(f => f.Key), [.. model.Held.Keys]) is { } held)
            {
                return $"{id} holds {held}";
            }

            if (Differs(client.Buffered, model.Buffered) is { } buffered)
            {
                return $"{id} buffers {buffered}";
            }
        }

        return null;
    }

    private static string? Differs(IEnumerable<string> real, HashSet<string> model)
    {
        var list = real.ToList();
        if (list.Count == model.Count && list.All(model.Contains))
        {
            return null;
        }

        return $"[{string.Join(", ", list.Order(StringComparer.Ordinal))}], its model [{string.Join(", ", model.Order(StringComparer.Ordinal))}]";
    }

    private sealed class Model
    {
        public ClientStatus Status { get; set; } = ClientStatus.NewlyCreated;

        public string Token { get; set; } = "";

        /// <summary>Every key the client has used.</summary>
        public HashSet<string> Keys { get; } = new(StringComparer.Ordinal);

        /// <summary>The futures held, with the generation each was submitted in.</summary>
        public Dictionary<string, int> Held { get; } = new(StringComparer.Ordinal);

        public HashSet<string> Buffered { get; } = new(StringComparer.Ordinal);

        /// <summary>The last generation a sweep ended (-1 before any).</summary>
        public int Ended { get; set; } = -1;

        /// <summary>The newest generation work was submitted in.</summary>
        public int Generation { get; set; }

        /// <summary>Futures held when the client learnt of a scheduler restart, not cancelled yet.</summary>
        public HashSet<string> OwedRestart { get; } = new(StringComparer.Ordinal);

        /// <summary>Futures cancelled per sweep reason since the last sweep event of that reason.</summary>
        public Dictionary<string, int> SweptUntold { get; } = new(StringComparer.Ordinal);
    }
}
