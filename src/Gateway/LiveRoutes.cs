using System.Text;
using Sim.Stack.Defects;
using Sim.Stack.Host;

namespace Sim.Stack.Gateway;

/// <summary>
/// The table a gateway serves, and how it changes: at start from route_table.json (or, when that is missing or
/// invalid, from the last table applied), then from the file whenever its content changes, or from an administrator's
/// push. A new table is checked whole, persisted as the last applied table, then swapped in at once: a lookup sees the
/// old table or the new one, never a mix. A table that fails the check is refused with its JSON path and the old one
/// stays. Applies run one at a time, in the order they were asked for.
/// </summary>
public sealed class LiveRoutes(IHost host, GatewayOptions options)
{
    private Task applying = Task.CompletedTask;
    private byte[]? seen;
    private long version;

    /// <summary>The table lookups use now.</summary>
    public RouteTable Current { get; private set; } = RouteTable.Empty;

    /// <summary>Loads the table the gateway starts with.</summary>
    public async Task StartAsync()
    {
        var file = host.Disk.Read(options.RouteTableKey);
        seen = file;
        var fromFile = Check(file, "startup");
        var table = fromFile ?? Check(host.Disk.Read(options.AppliedTableKey), "cache");
        if (table is not null)
        {
            await ApplyAsync(table, fromFile is not null ? "startup" : "cache");
        }
    }

    /// <summary>Reads route_table.json every reload interval and applies it when its content changed.</summary>
    public async Task WatchAsync(CancellationToken lifetime)
    {
        while (options.ReloadInterval is { } interval && !lifetime.IsCancellationRequested)
        {
            await host.Clock.Delay(interval, lifetime);
            var file = host.Disk.Read(options.RouteTableKey);
            if (file is null || (seen is not null && file.AsSpan().SequenceEqual(seen)))
            {
                continue;
            }

            seen = file;
            if (Check(file, "file") is { } table)
            {
                await ApplyAsync(table, "file");
            }
        }
    }

    /// <summary>An administrator's table: checked (throws <see cref="RouteTableException"/>), written to route_table.json, applied.</summary>
    public async Task<long> PushAsync(string text, string admin, CancellationToken cancellationToken)
    {
        RouteTable table;
        try
        {
            table = RouteTableParser.Parse(text);
        }
        catch (RouteTableException e)
        {
            host.Log.Event(new RouteTableRejected($"admin {admin}", e.Message, Current.Version));
            throw;
        }

        // Seen before it is written: the watcher must not apply the pushed file a second time as a change.
        var bytes = Encoding.UTF8.GetBytes(text);
        seen = bytes;
        host.Disk.Write(options.RouteTableKey, bytes);
        await host.Disk.FlushAsync(cancellationToken);
        return await ApplyAsync(table, $"admin {admin}");
    }

    /// <summary>Applies <paramref name="table"/> after every apply asked for before it; returns the version it went live as.</summary>
    private Task<long> ApplyAsync(RouteTable table, string source)
    {
        var previous = applying;
        var next = ApplyAfterAsync(previous, table, source);
        applying = next;
        return next;
    }

    private async Task<long> ApplyAfterAsync(Task previous, RouteTable table, string source)
    {
        try
        {
            await previous;
        }
        catch (OperationCanceledException)
        {
            // The earlier apply was cut short with the process stopping; this one goes on (or is cut short too).
        }

        host.Disk.Write(options.AppliedTableKey, Encoding.UTF8.GetBytes(table.Text));
        var live = ++version;
        if (options.Defects.IsOn(DefectCatalogue.TornRouteReload))
        {
            // The defect: the entries go live one by one, each persisted before the next, so a lookup in between
            // combines entries of the new table with entries (or the default) of the old one.
            host.Log.Event(new RouteTableLoaded(live, source, table.Parties.Count, table.Text));
            var old = Current;
            foreach (var entry in table.Parties)
            {
                Current = Current.WithEntry(live, entry);
                host.Disk.Write($"{options.AppliedTableKey}.{entry.Party}", Encoding.UTF8.GetBytes(entry.Party));
                await host.Disk.FlushAsync(host.Lifetime);
            }

            foreach (var gone in old.Parties.Where(p => table.Entry(p.Party) is null))
            {
                Current = Current.Without(live, gone.Party);
            }

            Current = table.WithVersion(live);
            return live;
        }

        await host.Disk.FlushAsync(host.Lifetime);
        Current = table.WithVersion(live);
        host.Log.Event(new RouteTableLoaded(live, source, table.Parties.Count, table.Text));
        return live;
    }

    private RouteTable? Check(byte[]? file, string source)
    {
        if (file is null)
        {
            return null;
        }

        try
        {
            return RouteTableParser.Parse(Encoding.UTF8.GetString(file));
        }
        catch (RouteTableException e)
        {
            host.Log.Event(new RouteTableRejected(source, e.Message, Current.Version));
            return null;
        }
    }
}
