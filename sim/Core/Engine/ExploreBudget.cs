namespace Sim.Engine;

/// <summary>How long an exploration may go on: a number of iterations, or a wall-time budget.</summary>
/// <param name="Iterations">Iteration budget (ignored when <paramref name="Time"/> is set).</param>
/// <param name="Time">Wall-time budget, if any.</param>
public sealed record ExploreBudget(long Iterations, TimeSpan? Time = null);
