using Sim.Stack.Futures;

namespace Sim.Scenarios.Futures;

/// <summary>What the users did, as the checkers share it: every client made, every future submitted (by key).</summary>
public sealed class FuturesLedger
{
    private readonly Dictionary<string, FuturesClient> clients = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> users = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Tracked> futures = new(StringComparer.Ordinal);

    public IReadOnlyDictionary<string, FuturesClient> Clients => clients;

    public IReadOnlyDictionary<string, Tracked> Futures => futures;

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
