namespace Sim.Scenarios.Futures;

/// <summary>What a <see cref="FuturesUser"/> does: batch sizes, how often and how soon it cancels, how long computations take.</summary>
/// <param name="MinBatch">Fewest futures per batch.</param>
/// <param name="MaxBatch">Most futures per batch.</param>
/// <param name="CancelProbability">Chance that a future gets a cancel of its own.</param>
/// <param name="LatestCancel">Longest delay between a submit and its cancel.</param>
/// <param name="ShortestTask">Shortest computation.</param>
/// <param name="LongestTask">Longest computation.</param>
/// <param name="MinPause">Shortest pause between two batches.</param>
/// <param name="MaxPause">Longest pause between two batches.</param>
public sealed record FuturesWorkload(int MinBatch, int MaxBatch, float CancelProbability, TimeSpan LatestCancel, TimeSpan ShortestTask, TimeSpan LongestTask, TimeSpan MinPause, TimeSpan MaxPause)
{
    /// <summary>The chaos scenario's users: many futures, a minute of work.</summary>
    public static FuturesWorkload Chaos { get; } = new(2, 6, 0.3f, TimeSpan.FromMilliseconds(1500), TimeSpan.FromMilliseconds(20), TimeSpan.FromSeconds(2), TimeSpan.FromMilliseconds(50), TimeSpan.FromMilliseconds(600));

    /// <summary>The focused race: a few short computations, cancels landing while results are on the wire.</summary>
    public static FuturesWorkload Focused { get; } = new(2, 3, 0.5f, TimeSpan.FromMilliseconds(40), TimeSpan.FromMilliseconds(2), TimeSpan.FromMilliseconds(40), TimeSpan.Zero, TimeSpan.FromMilliseconds(30));
}
