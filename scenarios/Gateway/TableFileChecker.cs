using System.Text;
using Sim.Stack.Gateway;
using Sim.Worlds;

namespace Sim.Scenarios.Gateway;

/// <summary>
/// Route tables on disk, as operators and the config-rewrite fault change them. Safety: a broken table is refused with
/// the exact JSON-path error it deserves (the error a user sees in the log) and the gateway keeps serving the version
/// it had; a good table is never refused and a table the gateway loads from its file is the file's content. Liveness:
/// after the quiet point (when every rewritten file is put back) each party gateway serves what its file holds.
/// </summary>
public sealed class TableFileChecker
{
    public const string BadTableRefused = "bad-table-refused-old-one-kept";
    public const string ReloadTakesEffect = "reloaded-table-takes-effect";

    private readonly Dictionary<string, string> files = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> serving = new(StringComparer.Ordinal);

    // What each file held since its gateway last read it: a read, then the flush of the applied table, then the event,
    // so the file may change between the read and the event that reports it.
    private readonly Dictionary<string, List<string>> held = new(StringComparer.Ordinal);

    public TableFileChecker(ScenarioContext context, GatewayTopology topology, RouteTables tables, RoutingModel routing, string key)
    {
        foreach (var (party, gateway) in topology.Gateways)
        {
            files[gateway.Name] = tables.For(party, false);
            held[gateway.Name] = [files[gateway.Name]];
        }

        context.On<FaultAction.RewriteFile>((e, _) =>
        {
            if (e.Key == key && e.Content is not null)
            {
                files[e.Process] = Encoding.UTF8.GetString(e.Content);
                held[e.Process].Add(files[e.Process]);
            }
        });
        context.On<RouteTableLoaded>((e, at) =>
        {
            serving[at.Subject] = e.Text;
            if (e.Source.StartsWith("admin ", StringComparison.Ordinal))
            {
                files[at.Subject] = e.Text;
                held.GetValueOrDefault(at.Subject)?.Add(e.Text);
            }
            else if (e.Source == "file" && held.TryGetValue(at.Subject, out var contents))
            {
                if (!contents.Contains(e.Text) || tables.ExpectedError(topology.PartyOf(at.Subject)!, e.Text) is not "")
                {
                    context.Fail(BadTableRefused, $"{at.Subject} loaded a table from its file that is not a good table the file held (v{e.Version})");
                }

                held[at.Subject] = [files[at.Subject]];
            }
        });
        context.On<RouteTableRejected>((e, at) =>
        {
            if (e.Serving != routing.Latest(at.Subject))
            {
                context.Fail(BadTableRefused, $"{at.Subject} refused a table from {e.Source} and says it serves v{e.Serving}, but v{routing.Latest(at.Subject)} was live");
            }

            if (e.Source is not ("file" or "startup") || !held.TryGetValue(at.Subject, out var contents))
            {
                return;
            }

            var party = topology.PartyOf(at.Subject)!;
            var expected = contents.Select(c => tables.ExpectedError(party, c)).ToList();
            held[at.Subject] = [files[at.Subject]];
            if (expected.Any(x => x is null))
            {
                return;
            }

            if (!expected.Any(x => x!.Length > 0 && (e.Error == x || (x.StartsWith("invalid JSON", StringComparison.Ordinal) && e.Error.StartsWith(x, StringComparison.Ordinal)))))
            {
                context.Fail(BadTableRefused, $"{at.Subject} refused its file from {e.Source} with '{e.Error}', but it held {string.Join(" then ", expected.Select(x => x!.Length == 0 ? "a good table" : $"one that deserves '{x}'"))}");
            }
        });
        context.Eventually(ReloadTakesEffect, () => topology.Gateways.Values
            .Where(g => g.IsUp && files.TryGetValue(g.Name, out var content) && tables.ExpectedError(topology.PartyOf(g.Name)!, content) is "" && serving.GetValueOrDefault(g.Name) != content)
            .Select(g => $"{g.Name}'s file holds a good table it does not serve at the horizon (it serves v{routing.Latest(g.Name)})")
            .FirstOrDefault());
    }
}
