namespace Sim.Stack.Defects;

/// <summary>
/// Every defect switch the stack carries: its name, what it restores and where it comes from. A new defect is
/// one entry here (and a name constant for the stack's code to test); a scenario claims it in
/// <c>Scenario.Claims</c>. The stack reads a switch through <see cref="DefectSet.IsOn"/>; scenarios never branch on it.
/// </summary>
public static class DefectCatalogue
{
    public const string AckBeforeFlush = "ack-before-flush";
    public const string StaleNodeMapping = "stale-node-mapping";
    public const string BareCancel = "bare-cancel";
    public const string DroppedCancelReason = "dropped-cancel-reason";

    // Site gateways (src/Gateway, scenario gateway-routing).
    public const string TornRouteReload = "torn-route-reload";
    public const string SelfRouteViaDefault = "self-route-via-default";

    public static IReadOnlyList<Defect> All { get; } =
    [
        new(AckBeforeFlush, "the primary acknowledges a write before it is flushed to disk and replicated (flushed and replicated later, in the background)",
            "the classic lost-acknowledged-write bug of primary/backup stores"),
        new(StaleNodeMapping, "DeleteNode removes the node entry but keeps the public-key mapping; a restarted node's CreateNode gets the stale id, its first Ping answers success=false and its ping loop stops (\"Ping failed unexpectedly\")",
            "flwrlabs/flower issue 4844 (Flower 1.14, fixed in 1.15.0)"),
        new(BareCancel, "when the client loses its scheduler, its pending futures fail with a bare cancellation that names only the key, with no reason and no message",
            "dask/distributed issue 8690 (fixed by PR 8705, released in 2024.7.0)"),
        new(DroppedCancelReason, "a future's own Cancel(reason, msg) forwards the futures but drops the reason and message, so the user sees reason 'unknown'",
            "dask/distributed PR 9028 (the reason dropped by the synchronous cancel)"),

        // Site gateways (src/Gateway, scenario gateway-routing).
        new(TornRouteReload, "a route-table reload puts the new table live entry by entry, persisting each before the next: a lookup in between combines the new version's entries with the old default (or the reverse) and forwards to an endpoint no single version has",
            "the in-place reload race of gateway route maps (FATE OSX/rollsite route_table.json hot reload while traffic flows)"),
        new(SelfRouteViaDefault, "a request for a component of the gateway's own party that its own entry lacks falls back to the global default (the exchange), leaves the site and bounces back until the hop limit",
            "FederatedAI/FATE pull request 5460 (own-party routes in exchange mode)"),
    ];

    /// <summary>The defect named <paramref name="name"/>, or null.</summary>
    public static Defect? Find(string name) => All.FirstOrDefault(d => string.Equals(d.Name, name, StringComparison.Ordinal));
}
