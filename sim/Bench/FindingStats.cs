namespace Sim.Bench;

/// <summary>
/// The figures of a bug-finding benchmark: how many searches found the defect, and the median iterations and wall
/// time of those that did. Shared by `sim bench` (its figures), `sim bench --defects` (its table) and `sim report`.
/// </summary>
public sealed record FindingStats(int Found, int Total, double MedianIterations, double MedianWallSeconds)
{
    public static FindingStats Of(int total, IEnumerable<(long Iterations, double WallSeconds)> found)
    {
        var list = found.ToList();
        return new FindingStats(list.Count, total, Median(list.Select(f => (double)f.Iterations)), Median(list.Select(f => f.WallSeconds)));
    }

    /// <summary>The median, or NaN for no values.</summary>
    public static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted.Count == 0 ? double.NaN : sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[(sorted.Count / 2) - 1] + sorted[sorted.Count / 2]) / 2;
    }
}
