namespace Sim.Engine.Coyote;

/// <summary>How the Coyote engine explores.</summary>
/// <param name="Strategy">One of <see cref="CoyoteEngine.Strategies"/>.</param>
/// <param name="Iterations">Iteration budget.</param>
/// <param name="Time">Wall-time budget (overrides the iteration budget when set).</param>
/// <param name="StrategyBound">The strategy's bound: probabilistic level, PCT priority changes, delay bound (default: Coyote's).</param>
/// <param name="EarlyFireOdds">A timer fires before runnable continuations with probability 1/odds per clock step.</param>
/// <param name="MaxSteps">Scheduling-step bound of one iteration (continuations run).</param>
public sealed record CoyoteOptions(
    string Strategy = "random",
    uint Iterations = 100,
    TimeSpan? Time = null,
    uint? StrategyBound = null,
    int EarlyFireOdds = 20,
    long MaxSteps = 500_000);
