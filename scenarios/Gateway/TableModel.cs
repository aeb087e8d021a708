using System.Text.Json;

namespace Sim.Scenarios.Gateway;

/// <summary>
/// The checkers' own reading of a route_table.json (written apart from the gateway's parser, from the format's rules):
/// entry → component → the set of endpoint addresses, and the permission rules. Lookup by the rule SCENARIOS.md
/// states: the party's entry, else the global default — never the default for the gateway's own party; within the
/// entry the component, else the entry's default.
/// </summary>
public sealed class TableModel
{
    private const string Default = "default";

    private readonly Dictionary<string, Dictionary<string, HashSet<string>>> entries = new(StringComparer.Ordinal);
    private readonly List<(string From, string? To, bool Allow)> rules = [];
    private bool defaultAllow = true;

    public IReadOnlyCollection<string> Entries => entries.Keys;

    /// <summary>Reads a table the gateway accepted (it is well formed: the model does not re-validate it).</summary>
    public static TableModel Read(string json)
    {
        var model = new TableModel();
        using var document = JsonDocument.Parse(json, new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        foreach (var entry in document.RootElement.GetProperty("route_table").EnumerateObject())
        {
            var components = model.entries[entry.Name] = new Dictionary<string, HashSet<string>>(StringComparer.Ordinal);
            foreach (var component in entry.Value.EnumerateObject().Where(c => c.Value.ValueKind == JsonValueKind.Array))
            {
                components[component.Name] = [.. component.Value.EnumerateArray().Select(Address)];
            }
        }

        if (document.RootElement.TryGetProperty("permission", out var permission))
        {
            model.defaultAllow = !permission.TryGetProperty("default_allow", out var d) || d.GetBoolean();
            foreach (var (key, allow) in new[] { ("allow", true), ("deny", false) })
            {
                if (permission.TryGetProperty(key, out var list))
                {
                    model.rules.AddRange(list.EnumerateArray().Select(r => (r.GetProperty("from").GetString()!, r.TryGetProperty("to", out var to) ? to.GetString() : null, allow)));
                }
            }
        }

        return model;
    }

    /// <summary>Where a request for <paramref name="component"/> of <paramref name="party"/> goes: the path and the endpoints; null: no route.</summary>
    public (string Path, IReadOnlySet<string> Endpoints)? Lookup(string party, string component, bool ownParty)
    {
        var key = entries.ContainsKey(party) ? party : ownParty ? null : entries.ContainsKey(Default) ? Default : null;
        if (key is null)
        {
            return null;
        }

        var components = entries[key];
        var name = components.ContainsKey(component) ? component : Default;
        return components.TryGetValue(name, out var endpoints) ? ($"route_table.{key}.{name}", endpoints) : null;
    }

    /// <summary>Whether party <paramref name="source"/> may call <paramref name="target"/>: deny first, then allow, then default_allow.</summary>
    public bool Allows(string source, string target)
    {
        bool Matches((string From, string? To, bool Allow) r) => r.From == source && (r.To ?? target) == target;
        return !rules.Any(r => !r.Allow && Matches(r)) && (rules.Any(r => r.Allow && Matches(r)) || defaultAllow);
    }

    private static string Address(JsonElement endpoint)
    {
        if (endpoint.TryGetProperty("url", out var url) && endpoint.TryGetProperty("protocol", out var protocol) && protocol.GetString() == "http")
        {
            var uri = new Uri(url.GetString()!);
            return $"{uri.Host}:{uri.Port}";
        }

        return $"{endpoint.GetProperty("ip").GetString()}:{endpoint.GetProperty("port").GetInt32()}";
    }
}
