using System.Text.Json;

namespace Sim.Stack.Gateway;

/// <summary>
/// Reads route_table.json as FATE's OSX (and eggroll's rollsite before it) writes it, and refuses a table it could not
/// serve with the JSON path of the first problem. Keys the gateway does not use (<c>negotiationType</c>, <c>version</c>,
/// an entry's <c>createTime</c>/<c>updateTime</c>) are accepted, so a real deployment's file loads unchanged.
/// </summary>
public static class RouteTableParser
{
    public const string RouteTableKey = "route_table";
    public const string PermissionKey = "permission";

    private static readonly JsonDocumentOptions Options = new() { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true };
    private static readonly string[] EntryTimestamps = ["createTime", "updateTime"];

    /// <summary>Parses <paramref name="text"/>; throws <see cref="RouteTableException"/> naming the first problem.</summary>
    public static RouteTable Parse(string text, long version = 0)
    {
        using var document = Open(text);
        var root = document.RootElement;
        if (root.ValueKind != JsonValueKind.Object)
        {
            throw new RouteTableException("", $"a route table is a JSON object with \"{RouteTableKey}\" (and \"{PermissionKey}\"), not {Describe(root)}");
        }

        if (!root.TryGetProperty(RouteTableKey, out var routes))
        {
            throw new RouteTableException(RouteTableKey, "required");
        }

        if (routes.ValueKind != JsonValueKind.Object)
        {
            throw new RouteTableException(RouteTableKey, $"must be an object of party ids, not {Describe(routes)}");
        }

        var parties = new List<PartyRoute>();
        foreach (var entry in routes.EnumerateObject())
        {
            var party = ParseParty(entry);
            if (parties.Any(p => p.Party == party.Party))
            {
                throw new RouteTableException($"{RouteTableKey}.{party.Party}", "the party appears twice");
            }

            parties.Add(party);
        }

        var permission = root.TryGetProperty(PermissionKey, out var rules) ? ParsePermission(rules) : RoutePermission.AllowAll;
        return new RouteTable(version, parties, permission, text);
    }

    /// <summary>Whether <paramref name="id"/> is a party id: a string of digits.</summary>
    public static bool IsPartyId(string id) => id.Length > 0 && id.All(char.IsAsciiDigit);

    private static JsonDocument Open(string text)
    {
        try
        {
            return JsonDocument.Parse(text, Options);
        }
        catch (JsonException e)
        {
            var reason = e.Message.Split(" LineNumber:", 2)[0].Split(" Path:", 2)[0];
            throw new RouteTableException("", $"invalid JSON at line {(e.LineNumber ?? 0) + 1}, position {(e.BytePositionInLine ?? 0) + 1}: {reason}");
        }
    }

    private static PartyRoute ParseParty(JsonProperty entry)
    {
        var path = $"{RouteTableKey}.{entry.Name}";
        if (entry.Name != RouteTable.Default && !IsPartyId(entry.Name))
        {
            throw new RouteTableException(path, $"party id must be a string of digits or \"{RouteTable.Default}\"");
        }

        if (entry.Value.ValueKind != JsonValueKind.Object)
        {
            throw new RouteTableException(path, $"must be an object of component names, not {Describe(entry.Value)}");
        }

        var components = new List<ComponentRoute>();
        foreach (var component in entry.Value.EnumerateObject().Where(c => !EntryTimestamps.Contains(c.Name)))
        {
            var at = $"{path}.{component.Name}";
            if (component.Name.Length == 0)
            {
                throw new RouteTableException(at, "a component name must not be empty");
            }

            if (components.Any(c => c.Component == component.Name))
            {
                throw new RouteTableException(at, "the component appears twice");
            }

            if (component.Value.ValueKind != JsonValueKind.Array || component.Value.GetArrayLength() == 0)
            {
                throw new RouteTableException(at, $"must be a non-empty list of endpoints, not {Describe(component.Value)}");
            }

            components.Add(new ComponentRoute(component.Name, [.. component.Value.EnumerateArray().Select((e, i) => ParseEndpoint(e, $"{at}[{i}]"))]));
        }

        return new PartyRoute(entry.Name, components);
    }

    private static RouteEndpoint ParseEndpoint(JsonElement endpoint, string path)
    {
        if (endpoint.ValueKind != JsonValueKind.Object)
        {
            throw new RouteTableException(path, $"an endpoint is an object with ip and port (or url), not {Describe(endpoint)}");
        }

        var protocol = ParseProtocol(endpoint, path);
        var useSsl = OptionalBool(endpoint, "useSSL", path) ?? false;
        var files = new[] { "caFile", "certChainFile", "privateKeyFile" }.Select(f => OptionalString(endpoint, f, path)).ToArray();
        var hostname = OptionalString(endpoint, "hostname", path);
        if (useSsl && Array.FindIndex(files, f => f is null) is var missing and >= 0)
        {
            throw new RouteTableException($"{path}.{new[] { "caFile", "certChainFile", "privateKeyFile" }[missing]}", "required when useSSL is true");
        }

        if (protocol == RouteProtocol.Http)
        {
            var url = OptionalString(endpoint, "url", path) ?? throw new RouteTableException($"{path}.url", "required for protocol http");
            if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https") || uri.Host.Length == 0)
            {
                throw new RouteTableException($"{path}.url", $"'{url}' is not an http or https URL");
            }

            return new RouteEndpoint(uri.Host, uri.Port, protocol, url, useSsl, files[0], files[1], files[2], hostname);
        }

        var ip = OptionalString(endpoint, "ip", path) ?? throw new RouteTableException($"{path}.ip", "required for protocol grpc");
        var port = OptionalPort(endpoint, path) ?? throw new RouteTableException($"{path}.port", "required for protocol grpc");
        return new RouteEndpoint(ip, port, protocol, OptionalString(endpoint, "url", path), useSsl, files[0], files[1], files[2], hostname);
    }

    private static RouteProtocol ParseProtocol(JsonElement endpoint, string path)
    {
        if (!endpoint.TryGetProperty("protocol", out var value))
        {
            return RouteProtocol.Grpc;
        }

        return value.ValueKind == JsonValueKind.String && value.GetString() is "grpc" or "http"
            ? value.GetString() == "http" ? RouteProtocol.Http : RouteProtocol.Grpc
            : throw new RouteTableException($"{path}.protocol", $"unknown protocol {value.GetRawText()} (known: grpc, http)");
    }

    private static int? OptionalPort(JsonElement endpoint, string path)
    {
        if (!endpoint.TryGetProperty("port", out var value))
        {
            return null;
        }

        if (value.ValueKind != JsonValueKind.Number || !value.TryGetInt64(out var port))
        {
            throw new RouteTableException($"{path}.port", $"must be a whole number, not {Describe(value)}");
        }

        return port is >= 1 and <= 65535 ? (int)port : throw new RouteTableException($"{path}.port", $"{port} is out of range (1-65535)");
    }

    private static string? OptionalString(JsonElement element, string key, string path)
    {
        if (!element.TryGetProperty(key, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        return value.ValueKind == JsonValueKind.String && value.GetString() is { Length: > 0 } text
            ? text
            : throw new RouteTableException($"{path}.{key}", $"must be a non-empty string, not {Describe(value)}");
    }

    private static bool? OptionalBool(JsonElement element, string key, string path)
    {
        if (!element.TryGetProperty(key, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        return value.ValueKind switch
        {
            JsonValueKind.True => true,
            JsonValueKind.False => false,
            _ => throw new RouteTableException($"{path}.{key}", $"must be true or false, not {Describe(value)}"),
        };
    }

    private static RoutePermission ParsePermission(JsonElement permission)
    {
        if (permission.ValueKind != JsonValueKind.Object)
        {
            throw new RouteTableException(PermissionKey, $"must be an object, not {Describe(permission)}");
        }

        var defaultAllow = OptionalBool(permission, "default_allow", PermissionKey) ?? true;
        return new RoutePermission(defaultAllow, ParseRules(permission, "allow"), ParseRules(permission, "deny"));
    }

    private static List<PermissionRule> ParseRules(JsonElement permission, string key)
    {
        var path = $"{PermissionKey}.{key}";
        if (!permission.TryGetProperty(key, out var rules))
        {
            return [];
        }

        if (rules.ValueKind != JsonValueKind.Array)
        {
            throw new RouteTableException(path, $"must be a list of rules {{\"from\": party, \"to\": party}}, not {Describe(rules)}");
        }

        return [.. rules.EnumerateArray().Select((rule, i) =>
        {
            var at = $"{path}[{i}]";
            if (rule.ValueKind != JsonValueKind.Object)
            {
                throw new RouteTableException(at, $"a rule is an object {{\"from\": party, \"to\": party}}, not {Describe(rule)}");
            }

            var from = OptionalString(rule, "from", at) ?? throw new RouteTableException($"{at}.from", "required");
            var to = OptionalString(rule, "to", at);
            foreach (var (name, party) in new[] { ("from", from), ("to", to) })
            {
                if (party is not null && !IsPartyId(party))
                {
                    throw new RouteTableException($"{at}.{name}", $"party id must be a string of digits, not '{party}'");
                }
            }

            return new PermissionRule(from, to);
        })];
    }

    private static string Describe(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => "a list",
        JsonValueKind.String => $"the string {value.GetRawText()}",
        JsonValueKind.Number => $"the number {value.GetRawText()}",
        JsonValueKind.True or JsonValueKind.False => value.GetRawText(),
        _ => "null",
    };
}
