using System.Text;
using Sim.Stack.Gateway;
using Sim.Worlds;

namespace Sim.Scenarios.Gateway;

/// <summary>
/// Where every table a gateway serves comes from, judged against what its route_table.json held (the seeded tables, the
/// config-rewrite fault's and the scripted rewrites, the administrators' pushes). Safety: every load and refusal names
/// its source as it is (<c>startup</c>, <c>cache</c>, <c>file</c>, <c>admin NAME</c> for an administrator,
/// <c>non-admin NAME</c> for anyone else), so the operator reading the log learns where a table came from; a file is
/// reloaded only after it changed since the gateway last read it; a gateway (re)starting serves its file's table when
/// the file holds a good one and otherwise the last table it applied (from its cache, never a table it had not served),
/// and it starts serving with a table whenever one was to be had. Liveness: a broken table left in a running gateway's
/// file for longer than the bound is refused (with its error in the log) within it.
/// </summary>
public sealed class TableLoadChecker
{
    public const string SourceNamed = "table-source-named";
    public const string ReloadOnChange = "file-reloaded-only-when-changed";
    public const string RestartServes = "restart-serves-file-or-last-table";
    public const string BrokenFileRefused = "broken-file-refused-within-bound";

    private readonly ScenarioContext context;
    private readonly GatewayTopology topology;
    private readonly RouteTables tables;
    private readonly TimeSpan bound;
    private readonly Dictionary<string, string> files = new(StringComparer.Ordinal);
    private readonly Dictionary<string, List<string>> sinceStart = new(StringComparer.Ordinal);
    private readonly Dictionary<string, HashSet<string>> served = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string?> lastRead = new(StringComparer.Ordinal);
    private readonly Dictionary<string, (TimeSpan Since, bool Refused, bool Disturbed)> broken = new(StringComparer.Ordinal);
    private readonly HashSet<string> pushers = new(StringComparer.Ordinal);

    // What each file held when its gateway last refused it (null after a load): the gateway does not read the same
    // content again, so a broken table written back over itself needs no second refusal.
    private readonly Dictionary<string, string?> refused = new(StringComparer.Ordinal);
    private readonly HashSet<string> pushedTo = new(StringComparer.Ordinal);

    public TableLoadChecker(ScenarioContext context, GatewayTopology topology, RouteTables tables, string key, IReadOnlyCollection<string> admins, TimeSpan bound)
    {
        this.context = context;
        this.topology = topology;
        this.tables = tables;
        this.bound = bound;
        foreach (var (party, gateway) in topology.Gateways)
        {
            files[gateway.Name] = tables.For(party, false);
        }

        files[topology.ExchangeA!.Name] = files[topology.ExchangeB!.Name] = tables.Exchange(joined: false);
        context.On<ProbeSent>((e, at) =>
        {
            pushers.Add(at.Subject);
            if (admins.Contains(at.Subject) && sinceStart.ContainsKey(e.Gateway))
            {
                // A push writes the file before its load is logged: a crash in between (even one before the push's
                // reply) leaves the pushed table in the file, where a restart finds it. Such a gateway's file may hold
                // any table an administrator pushed.
                pushedTo.Add(e.Gateway);
            }
        });
        context.On<ProcessStarted>((_, at) => Started(at.Subject, at.Time));
        context.On<FaultAction>((e, at) => Disturbed(e, at.Time));
        context.On<FaultAction.RewriteFile>((e, at) =>
        {
            if (e.Key == key && e.Content is not null && files.ContainsKey(e.Process))
            {
                Written(e.Process, Encoding.UTF8.GetString(e.Content), at.Time);
            }
        });
        context.On<RouteTableLoaded>((e, at) => Loaded(e, at, admins));
        context.On<RouteTableRejected>((e, at) => Rejected(e, at, admins));
        context.On<GatewayServing>((e, at) =>
        {
            if (e.Version == 0 && sinceStart.TryGetValue(at.Subject, out var held) && (held.Any(Good(at.Subject)) || served[at.Subject].Count > 0))
            {
                context.Fail(RestartServes, $"{at.Subject} serves no table although its file held a good one or it had served one before");
            }
        });
    }

    private Func<string, bool> Good(string gateway) =>
        text => topology.PartyOf(gateway) is { } party && (party == RouteTable.Default || tables.ExpectedError(party, text) is "");

    private void Started(string process, TimeSpan at)
    {
        if (files.TryGetValue(process, out var file))
        {
            sinceStart[process] = [file];
            lastRead[process] = null;
            served.TryAdd(process, new HashSet<string>(StringComparer.Ordinal));
            if (broken.TryGetValue(process, out var was) && !was.Refused)
            {
                // The file went bad while the gateway was down: the bound runs from the start that can read it.
                broken[process] = (at, false, false);
            }
        }
    }

    private void Disturbed(FaultAction e, TimeSpan at)
    {
        foreach (var g in broken.Keys.ToList())
        {
            if (e is not FaultAction.RewriteFile && (e.Subject == g || e.Subject == topology.AllGateways.First(x => x.Name == g).Machine.Name))
            {
                Judge(g, at);
                broken[g] = broken[g] with { Disturbed = true };
            }
        }
    }

    /// <summary>A broken table that sat in a running, undisturbed gateway's file past the bound must have been refused.</summary>
    private void Judge(string gateway, TimeSpan at)
    {
        if (broken.TryGetValue(gateway, out var was) && !was.Refused && !was.Disturbed && at - was.Since > bound)
        {
            context.Fail(BrokenFileRefused, $"{gateway}'s file held a broken table from {was.Since.TotalSeconds:F3}s to {at.TotalSeconds:F3}s and the gateway, up all along, never refused it");
        }
    }

    private void Written(string gateway, string text, TimeSpan at)
    {
        Judge(gateway, at);
        broken.Remove(gateway);

        files[gateway] = text;
        sinceStart.GetValueOrDefault(gateway)?.Add(text);
        if (topology.PartyOf(gateway) is { } party && party != RouteTable.Default && tables.ExpectedError(party, text) is { Length: > 0 })
        {
            // Written into the file of a gateway that is down or stopping: not judged until it starts (Started).
            var running = context.World.Process(gateway) is { IsUp: true, Stopping: false };
            broken[gateway] = (at, refused.GetValueOrDefault(gateway) == text, !running);
        }
    }

    private void Loaded(RouteTableLoaded e, LoggedEvent at, IReadOnlyCollection<string> admins)
    {
        var gateway = at.Subject;
        if (!files.ContainsKey(gateway))
        {
            return;
        }

        if (e.Source is not ("startup" or "cache" or "file") && !admins.Any(a => e.Source == $"admin {a}"))
        {
            context.Fail(SourceNamed, $"{gateway} loaded table v{e.Version} from '{e.Source}': a source is startup, cache, file or 'admin NAME' of an administrator ({string.Join(", ", admins)})");
        }

        var held = sinceStart.GetValueOrDefault(gateway) ?? [];
        if (e.Source == "file" && lastRead.GetValueOrDefault(gateway) == e.Text)
        {
            context.Fail(ReloadOnChange, $"{gateway} reloaded its file as v{e.Version} although it had not changed since the gateway last read it");
        }
        else if (e.Source == "startup" && (!(held.Contains(e.Text) || pushedTo.Contains(gateway)) || !Good(gateway)(e.Text)))
        {
            context.Fail(RestartServes, $"{gateway} started with v{e.Version} 'from its file', but that is not a good table its file held");
        }
        else if (e.Source == "cache" && (held.All(Good(gateway)) || !(served[gateway].Contains(e.Text) || Good(gateway)(e.Text))))
        {
            context.Fail(RestartServes, $"{gateway} started with v{e.Version} from its cache, but {(held.All(Good(gateway)) ? "its file held a good table" : "that is no table it served before")}");
        }

        lastRead[gateway] = e.Source == "cache" ? null : e.Text;
        if (e.Source != "cache")
        {
            refused[gateway] = null;
        }

        served[gateway].Add(e.Text);
        if (e.Source.StartsWith("admin ", StringComparison.Ordinal))
        {
            Written(gateway, e.Text, at.Time);
        }
    }

    private void Rejected(RouteTableRejected e, LoggedEvent at, IReadOnlyCollection<string> admins)
    {
        if (!files.ContainsKey(at.Subject))
        {
            return;
        }

        var named = e.Source is "startup" or "cache" or "file"
            || admins.Any(a => e.Source == $"admin {a}")
            || pushers.Any(p => !admins.Contains(p) && e.Source == $"non-admin {p}");
        if (!named)
        {
            context.Fail(SourceNamed, $"{at.Subject} refused a table from '{e.Source}': a source is startup, cache, file, 'admin NAME' or 'non-admin NAME' of whoever pushed it");
        }

        if (e.Source is "file" or "startup")
        {
            lastRead[at.Subject] = null;
            refused[at.Subject] = files[at.Subject];
            if (broken.TryGetValue(at.Subject, out var was))
            {
                broken[at.Subject] = was with { Refused = true };
            }
        }
    }
}
