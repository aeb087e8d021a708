namespace Sim.Stack.Defects;

/// <summary>Every defect switch the stack carries. Scenarios never look at this; the engines plant them.</summary>
public static class DefectCatalogue
{
    public const string AckBeforeFlush = "ack-before-flush";
    public const string StaleNodeMapping = "stale-node-mapping";

    public static IReadOnlyList<Defect> All { get; } =
    [
        new(AckBeforeFlush, "register",
            "the primary acknowledges a write before it is flushed to disk and replicated (flushed and replicated later, in the background)",
            "the classic lost-acknowledged-write bug of primary/backup stores"),
        new(StaleNodeMapping, "fleet-restart",
            "DeleteNode removes the node entry but keeps the public-key mapping; a restarted node's CreateNode gets the stale id, its first Ping answers success=false and its ping loop stops (\"Ping failed unexpectedly\")",
            "flwrlabs/flower issue 4844 (Flower 1.14, fixed in 1.15.0)"),
    ];

    public static Defect? Find(string name) => All.FirstOrDefault(d => string.Equals(d.Name, name, StringComparison.Ordinal));
}
