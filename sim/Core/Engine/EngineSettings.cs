namespace Sim.Engine;

/// <summary>What an engine needs beyond the <see cref="RunConfig"/> (only Coyote reads these).</summary>
/// <param name="StrategyBound">Coyote's strategy bound: probabilistic level, PCT priority changes, delay bound (default: Coyote's).</param>
/// <param name="EarlyFireOdds">Coyote: a timer fires before runnable continuations with probability 1/odds per clock step.</param>
/// <param name="MaxSteps">Coyote: the scheduling-step bound of one iteration.</param>
public sealed record EngineSettings(uint? StrategyBound = null, int EarlyFireOdds = 20, long MaxSteps = 500_000)
{
    public static EngineSettings Default { get; } = new();
}
