namespace Sim.Stack.Gateway;

/// <summary>One rule of route_table.json's <c>permission</c>: requests from party <c>from</c> (to party <c>to</c>, or to any party when absent).</summary>
public sealed record PermissionRule(string From, string? To)
{
    public bool Matches(string source, string target) => From == source && (To is null || To == target);
}

/// <summary>
/// route_table.json's <c>permission</c>: a deny rule that matches refuses, else an allow rule that matches admits, else
/// <c>default_allow</c> decides (true when the table has no <c>permission</c>).
/// </summary>
public sealed record RoutePermission(bool DefaultAllow, IReadOnlyList<PermissionRule> Allow, IReadOnlyList<PermissionRule> Deny)
{
    public static RoutePermission AllowAll { get; } = new(true, [], []);

    /// <summary>Whether party <paramref name="source"/> may call party <paramref name="target"/>.</summary>
    public bool Allows(string source, string target)
    {
        if (Deny.Any(r => r.Matches(source, target)))
        {
            return false;
        }

        return Allow.Any(r => r.Matches(source, target)) || DefaultAllow;
    }
}
