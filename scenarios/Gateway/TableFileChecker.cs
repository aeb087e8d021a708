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

    public TableFileChecker(ScenarioContext context, GatewayTopology topology, RouteTables tables, RoutingModel routing, string key)
    {
        foreach (var (party, gateway) in topology.Gateways)
        {
            files[gateway.Name] = tables.For(party, false);
        }

        context.On<FaultAction.RewriteFile>((e, _) =>
        {
            if (e.Key == key && e.Content is not null)
            {
                files[e.Process] = Encoding.UTF8.GetString(e.Content);
            }
        });
        context.On<RouteTableLoaded>((e, at) =>
        {
            serving[at.Subject] = e.Text;
            if (e.Source.StartsWith("admin ", StringComparison.Ordinal))
            {
                files[at.Subject] = e.Text;
            }
            else if (e.Source == "file" && files.TryGetValue(at.Subject, out var content) && (e.Text != content || tables.ExpectedError(topology.PartyOf(at.Subject)!, content) is not ""))
            {
                context.Fail(BadTableRefused, $"{at.Subject} loaded a table from its file that is not the good table the file holds (v{e.Version})");
            }
        });
        context.On<RouteTableRejected>((e, at) =>
        {
            if (e.Serving != routing.Latest(at.Subject))
            {
                context.Fail(BadTableRefused, $"{at.Subject} refused a table from {e.Source} and says it serves v{e.Serving}, but v{routing.Latest(at.Subject)} was live");
            }

            if (e.Source is not ("file" or "startup") || !files.TryGetValue(at.Subject, out var content) || tables.ExpectedError(topology.PartyOf(at.Subject)!, content) is not { } expected)
            {
                return;
            }

            if (expected.Length == 0 || !(e.Error == expected || (expected.StartsWith("invalid JSON", StringComparison.Ordinal) && e.Error.StartsWith(expected, StringComparison.Ordinal))))
            {
                context.Fail(BadTableRefused, $"{at.Subject} refused its file from {e.Source} with '{e.Error}', but it {(expected.Length == 0 ? "is a good table" : $"deserves '{expected}'")}");
            }
        });
        context.Eventually(ReloadTakesEffect, () => topology.Gateways.Values
            .Where(g => g.IsUp && files.TryGetValue(g.Name, out var content) && tables.ExpectedError(topology.PartyOf(g.Name)!, content) is "" && serving.GetValueOrDefault(g.Name) != content)
            .Select(g => $"{g.Name}'s file holds a good table it does not serve at the horizon (it serves v{routing.Latest(g.Name)})")
            .FirstOrDefault());
    }
}
