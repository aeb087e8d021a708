namespace Sim.Report.Mutation;

/// <summary>The mutants of one or more Stryker reports (shards), restricted to some folders, matched against the equivalent-mutants list.</summary>
public sealed record MutationReports(IReadOnlyList<Mutant> Mutants, EquivalenceMatch Match)
{
    /// <summary>The score of every folder read.</summary>
    public IReadOnlyList<FolderScore> Scores => FolderScore.Of(Mutants, Match);

    /// <summary>
    /// Reads the reports: for each file, the copy with the most mutants Stryker did not ignore wins (a report lists
    /// every file of the project, those it did not mutate without mutants; on a tie, the later report's copy).
    /// <paramref name="folders"/> restricts the result (default: every folder with a tested mutant).
    /// </summary>
    public static MutationReports Read(IEnumerable<string> reports, EquivalentMutants equivalents, IReadOnlyCollection<string>? folders = null)
    {
        var root = Directory.GetCurrentDirectory();
        var paths = reports.ToList();
        var byFile = new Dictionary<string, IReadOnlyList<Mutant>>(StringComparer.Ordinal);
        foreach (var report in paths)
        {
            foreach (var file in StrykerReport.Read(report, root).GroupBy(m => m.File, StringComparer.Ordinal))
            {
                if (!byFile.TryGetValue(file.Key, out var seen) || Placed(file) >= Placed(seen))
                {
                    byFile[file.Key] = [.. file];
                }
            }
        }

        var mutants = byFile.Values.SelectMany(m => m).ToList();
        var wanted = folders is { Count: > 0 }
            ? folders.ToHashSet(StringComparer.Ordinal)
            : mutants.Where(m => m.Detected || m.Undetected).Select(m => m.Folder).ToHashSet(StringComparer.Ordinal);
        var unknown = wanted.Where(f => mutants.All(m => m.Folder != f)).ToList();
        if (unknown.Count > 0)
        {
            throw new InvalidDataException($"no mutant of folder(s) {string.Join(", ", unknown)} in {string.Join(", ", paths)}");
        }

        mutants = mutants.Where(m => wanted.Contains(m.Folder)).ToList();
        return new MutationReports(mutants, equivalents.Match(mutants));
    }

    private static int Placed(IEnumerable<Mutant> mutants) => mutants.Count(m => m.Status != "Ignored");
}
