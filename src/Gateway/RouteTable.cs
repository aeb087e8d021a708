namespace Sim.Stack.Gateway;

/// <summary>The endpoints of one component of one party: <c>route_table.&lt;party&gt;.&lt;component&gt;</c>.</summary>
public sealed record ComponentRoute(string Component, IReadOnlyList<RouteEndpoint> Endpoints);

/// <summary>One party's entry of the route table (or the global <c>default</c>), its components in file order.</summary>
public sealed record PartyRoute(string Party, IReadOnlyList<ComponentRoute> Components)
{
    public ComponentRoute? Find(string component) => Components.FirstOrDefault(c => c.Component == component);
}

/// <summary>Where a lookup landed: the entry and component keys it used (either may be <c>default</c>) and their endpoints.</summary>
public sealed record RouteMatch(string Party, string Component, IReadOnlyList<RouteEndpoint> Endpoints)
{
    /// <summary>The JSON path of the endpoints, as errors and the event log name them.</summary>
    public string Path => $"route_table.{Party}.{Component}";
}

/// <summary>
/// A parsed route_table.json, immutable: the gateway swaps whole tables, never edits one in place. Lookup as FATE's
/// OSX does it: the party's entry if present, else the global <c>default</c>; within it the component if present,
/// else that entry's <c>default</c>.
/// </summary>
public sealed class RouteTable
{
    /// <summary>The key of the global default entry and of an entry's default component.</summary>
    public const string Default = "default";

    private readonly Dictionary<string, PartyRoute> byParty;

    public RouteTable(long version, IReadOnlyList<PartyRoute> parties, RoutePermission permission, string text)
    {
        Version = version;
        Parties = parties;
        Permission = permission;
        Text = text;
        byParty = parties.ToDictionary(p => p.Party, StringComparer.Ordinal);
    }

    /// <summary>A gateway's table before any was loaded: no routes, everyone allowed.</summary>
    public static RouteTable Empty { get; } = new(0, [], RoutePermission.AllowAll, "");

    /// <summary>Which load of its gateway this is (1 for the first table a gateway incarnation serves).</summary>
    public long Version { get; }

    /// <summary>The entries in file order.</summary>
    public IReadOnlyList<PartyRoute> Parties { get; }

    public RoutePermission Permission { get; }

    /// <summary>The route_table.json text it was parsed from.</summary>
    public string Text { get; }

    public PartyRoute? Entry(string party) => byParty.GetValueOrDefault(party);

    /// <summary>The route to <paramref name="component"/> of another party: its entry, else the global default.</summary>
    public RouteMatch? Resolve(string party, string component) => Match(Entry(party) ?? Entry(Default), component);

    /// <summary>The route to a component of the gateway's own party: its own entry only, never the global default (that leads off the site).</summary>
    public RouteMatch? ResolveOwn(string party, string component) => Match(Entry(party), component);

    /// <summary>
    /// Where every (party, component) pair the table names resolves: each entry's party (and <c>default</c>, any party
    /// it does not name) with every component named anywhere in the table (and <c>default</c>, any other component).
    /// For <paramref name="ownParty"/> (the party of the gateway reading the table) lookups stay in its own entry.
    /// </summary>
    public IEnumerable<(string Party, string Component, RouteMatch? Match)> Resolutions(string? ownParty = null)
    {
        var components = Parties.SelectMany(p => p.Components).Select(c => c.Component).Where(c => c != Default).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).Append(Default).ToList();
        var parties = Parties.Select(p => p.Party).Where(p => p != Default).Append(Default);
        if (ownParty is not null && !parties.Contains(ownParty))
        {
            parties = parties.Prepend(ownParty);
        }

        foreach (var party in parties.ToList())
        {
            foreach (var component in components)
            {
                yield return (party, component, party == ownParty ? ResolveOwn(party, component) : Resolve(party, component));
            }
        }
    }

    public RouteTable WithVersion(long version) => new(version, Parties, Permission, Text);

    /// <summary>This table with <paramref name="entry"/> put in place of the entry of the same party (or appended).</summary>
    public RouteTable WithEntry(long version, PartyRoute entry) =>
        new(version, byParty.ContainsKey(entry.Party) ? [.. Parties.Select(p => p.Party == entry.Party ? entry : p)] : [.. Parties, entry], Permission, Text);

    /// <summary>This table without the entry of <paramref name="party"/>.</summary>
    public RouteTable Without(long version, string party) => new(version, [.. Parties.Where(p => p.Party != party)], Permission, Text);

    private static RouteMatch? Match(PartyRoute? entry, string component)
    {
        var route = entry?.Find(component) ?? entry?.Find(Default);
        return route is null ? null : new RouteMatch(entry!.Party, route.Component, route.Endpoints);
    }
}
