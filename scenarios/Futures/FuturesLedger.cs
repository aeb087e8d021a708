using Sim.Stack.Futures;

namespace Sim.Scenarios.Futures;

/// <summary>What the users did, as the checkers share it: every user, every client made, every future submitted (by key), every restart an admin asked for.</summary>
public sealed class FuturesLedger
{
    private readonly HashSet<string> people = new(StringComparer.Ordinal);
    private readonly Dictionary<string, FuturesClient> clients = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> users = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Tracked> futures = new(StringComparer.Ordinal);

    public IReadOnlyDictionary<string, FuturesClient> Clients => clients;

    public IReadOnlyDictionary<string, Tracked> Futures => futures;

    /// <summary>The users (processes) that started work.</summary>
    public IReadOnlySet<string> Users => people;

    /// <summary>How many scheduler restarts an admin asked for and got an answer to.</summary>
    public int RestartsAsked { get; private set; }

    /// <summary>A user (process) started its work.</summary>
    public void Started(string user) => people.Add(user);

    /// <summary>An admin's restart call returned: the scheduler said it restarted.</summary>
    public void RestartAsked() => RestartsAsked++;

    /// <summary>A user (process) connected a new client.</summary>
    public void Connected(string user, FuturesClient client)
    {
        clients[client.Id] = client;
        users[client.Id] = user;
    }

    /// <summary>The user (process) whose client <paramref name="client"/> is.</summary>
    public string? UserOf(string client) => users.GetValueOrDefault(client);

    /// <summary>A user submitted a future.</summary>
    public Tracked Submitted(string user, Future future, string operation, IReadOnlyList<long> inputs, TimeSpan at)
    {
        var tracked = new Tracked(user, future, operation, inputs, at);
        futures[future.Key] = tracked;
        return tracked;
    }
}
