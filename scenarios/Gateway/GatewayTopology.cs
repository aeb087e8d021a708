using Sim.Stack.Gateway;

namespace Sim.Scenarios.Gateway;

/// <summary>
/// Who runs where in gateway-routing: three parties, each a site with a gateway, a job service (FATE-Flow's role,
/// component <c>fateflow</c>), a consumer of its topics and an application; an exchange site with two exchange
/// gateways (the second one a new exchange the parties move to and back); a spare job service of party 10000 that
/// its table may move <c>fateflow</c> to; and, at party 10001's site, an impostor gateway that no honest route may reach.
/// </summary>
public sealed class GatewayTopology
{
    public const int GatewayPort = 9370;
    public const int ComponentPort = 9360;

    /// <summary>The parties, in the order their sites were made.</summary>
    public static IReadOnlyList<string> Parties { get; } = ["9999", "10000", "10001"];

    public Dictionary<string, Live<SiteGateway>> Gateways { get; } = new(StringComparer.Ordinal);

    public Dictionary<string, Live<JobService>> Jobs { get; } = new(StringComparer.Ordinal);

    public Live<JobService>? SpareJobs { get; set; }

    public Live<SiteGateway>? ExchangeA { get; set; }

    public Live<SiteGateway>? ExchangeB { get; set; }

    public Live<SiteGateway>? Impostor { get; set; }

    /// <summary>Certificate names → the party each speaks for (what every gateway is configured with).</summary>
    public Dictionary<string, string> Speakers { get; } = new(StringComparer.Ordinal);

    /// <summary>Every gateway, by process name.</summary>
    public IEnumerable<Live<SiteGateway>> AllGateways => [.. Gateways.Values, ExchangeA!, ExchangeB!];

    /// <summary>The site of party <paramref name="party"/> (<c>party-9999</c>).</summary>
    public static string SiteOf(string party) => $"party-{party}";

    /// <summary>The party a gateway process serves (<c>default</c> for an exchange), or null for another process.</summary>
    public string? PartyOf(string gateway) =>
        Gateways.FirstOrDefault(g => g.Value.Name == gateway) is { Value: not null } own ? own.Key
        : gateway == ExchangeA?.Name || gateway == ExchangeB?.Name ? RouteTable.Default
        : null;
}
