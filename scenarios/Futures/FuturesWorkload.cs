namespace Sim.Scenarios.Futures;

/// <summary>What a <see cref="FuturesUser"/> does: batch sizes, how often and how soon it cancels, how long computations take, when it closes its client.</summary>
/// <param name="MinBatch">Fewest futures per batch.</param>
/// <param name="MaxBatch">Most futures per batch.</param>
/// <param name="CancelProbability">Chance that a future gets a cancel of its own.</param>
/// <param name="LatestCancel">Longest delay between a submit and its cancel.</param>
/// <param name="ShortestTask">Shortest computation.</param>
/// <param name="LongestTask">Longest computation.</param>
/// <param name="MinPause">Shortest pause between two batches.</param>
/// <param name="MaxPause">Longest pause between two batches.</param>
/// <param name="GiveUpProbability">Chance that a user who finds its client connecting after a batch closes it and starts a new one.</param>
/// <param name="CloseAtEndProbability">Chance that a user ends its work by submitting a last batch and closing the client without waiting for it.</param>
public sealed record FuturesWorkload(int MinBatch, int MaxBatch, float CancelProbability, TimeSpan LatestCancel, TimeSpan ShortestTask, TimeSpan LongestTask, TimeSpan MinPause, TimeSpan MaxPause, float GiveUpProbability, float CloseAtEndProbability)
{
    /// <summary>Chance that a cancel gives no reason and no message (upstream: reason "unknown", message None).</summary>
    public const float BareCancelProbability = 0.25f;

    /// <summary>The chaos scenario's users: many futures, a minute of work.</summary>
    public static FuturesWorkload Chaos { get; } = new(2, 6, 0.3f, TimeSpan.FromMilliseconds(1500), TimeSpan.FromMilliseconds(20), TimeSpan.FromSeconds(2), TimeSpan.FromMilliseconds(50), TimeSpan.FromMilliseconds(600), 0.25f, 0.5f);

    /// <summary>The focused race: a few short computations, cancels landing while results are on the wire.</summary>
    public static FuturesWorkload Focused { get; } = new(2, 3, 0.5f, TimeSpan.FromMilliseconds(40), TimeSpan.FromMilliseconds(2), TimeSpan.FromMilliseconds(40), TimeSpan.Zero, TimeSpan.FromMilliseconds(30), 0.25f, 0.5f);
}
