namespace Sim.Stack.Defects;

/// <summary>Every defect switch the stack carries. Scenarios never look at this; the engines plant them.</summary>
public static class DefectCatalogue
{
    public const string AckBeforeFlush = "ack-before-flush";

    public static IReadOnlyList<Defect> All { get; } =
    [
        new(AckBeforeFlush, "register",
            "the primary acknowledges a write before it is flushed to disk and replicated (flushed and replicated later, in the background)",
            "the classic lost-acknowledged-write bug of primary/backup stores"),
    ];

    public static Defect? Find(string name) => All.FirstOrDefault(d => string.Equals(d.Name, name, StringComparison.Ordinal));
}
