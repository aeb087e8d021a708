namespace Sim.Stack.Defects;

/// <summary>The defects switched on for one run. Immutable; empty means the fixed behaviour everywhere.</summary>
public sealed class DefectSet
{
    private readonly HashSet<string> names;

    public DefectSet(IEnumerable<string> names)
    {
        this.names = new HashSet<string>(names, StringComparer.Ordinal);
        foreach (var name in this.names)
        {
            if (DefectCatalogue.Find(name) is null)
            {
                throw new ArgumentException($"unknown defect '{name}' (known: {string.Join(", ", DefectCatalogue.All.Select(d => d.Name))})");
            }
        }
    }

    public static DefectSet None { get; } = new([]);

    public bool IsOn(string name) => names.Contains(name);

    public IReadOnlyCollection<string> Names => names;

    public override string ToString() => names.Count == 0 ? "none" : string.Join(",", names.Order(StringComparer.Ordinal));
}
