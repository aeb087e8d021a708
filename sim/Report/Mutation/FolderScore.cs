namespace Sim.Report.Mutation;

/// <summary>
/// The mutation score of one source folder. Valid mutants are those Stryker compiled and tested or found
/// uncovered (killed, timed out, survived, no coverage); the score is detected (killed or timed out) over
/// valid minus equivalent: killed / (total − equivalent). Compile errors and ignored mutants (log calls, by
/// stryker-config.json) are counted but never scored.
/// </summary>
public sealed record FolderScore(string Folder, int Killed, int Timeout, int Survived, int NoCoverage, int CompileErrors, int RuntimeErrors, int Ignored, int Equivalent)
{
    /// <summary>The mutants Stryker placed and compiled or tried to compile (ignored ones excluded).</summary>
    public int Placed => Valid + CompileErrors + RuntimeErrors;

    /// <summary>Killed plus timed out.</summary>
    public int Detected => Killed + Timeout;

    /// <summary>The total of the score's formula.</summary>
    public int Valid => Detected + Survived + NoCoverage;

    /// <summary>Undetected mutants not declared equivalent: the oracles' work list.</summary>
    public int Missed => Survived + NoCoverage - Equivalent;

    /// <summary>Percent, or null when the folder has no valid mutant left.</summary>
    public double? Score => Valid - Equivalent > 0 ? 100.0 * Detected / (Valid - Equivalent) : null;

    /// <summary>Scores every folder of a report (sorted by name).</summary>
    public static IReadOnlyList<FolderScore> Of(IReadOnlyList<Mutant> mutants, EquivalenceMatch equivalence) =>
        mutants.GroupBy(m => m.Folder, StringComparer.Ordinal)
            .OrderBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => new FolderScore(
                g.Key,
                g.Count(m => m.Status == "Killed"),
                g.Count(m => m.Status == "Timeout"),
                g.Count(m => m.Status == "Survived"),
                g.Count(m => m.Status == "NoCoverage"),
                g.Count(m => m.Status == "CompileError"),
                g.Count(m => m.Status == "RuntimeError"),
                g.Count(m => m.Status == "Ignored"),
                g.Count(equivalence.Equivalent.Contains)))
            .ToList();
}
