using Sim.Scenarios;

namespace Sim.Engine;

/// <summary>The deterministic loop engine behind <see cref="IEngine"/>: <see cref="Simulation"/> for one run, <see cref="Explorer"/> for seeds S, S+1, ...</summary>
public sealed class LoopEngine : IEngine
{
    private LoopEngine()
    {
    }

    public static LoopEngine Instance { get; } = new();

    public string Name => "loop";

    public IReadOnlyList<string> Strategies => RunConfig.Strategies;

    public bool SeedPerIteration => true;

    public bool HasStrategyBound => false;

    public EngineOutcome Run(Scenario scenario, RunConfig config, EngineSettings settings) => Of(Simulation.Run(scenario, config), 1, null);

    public EngineOutcome Explore(Scenario scenario, RunConfig config, EngineSettings settings, ExploreBudget budget, Action<long>? afterEach = null)
    {
        long done = 0;
        RunResult? last = null;
        var outcome = new Explorer(scenario, config).Run((int)Math.Min(int.MaxValue, budget.Time is null ? budget.Iterations : int.MaxValue), result =>
        {
            last = result;
            afterEach?.Invoke(++done);
        }, budget.Time);
        var run = outcome.Bug ?? last;
        return run is null
            ? new EngineOutcome(Name, config, 0, null, null, null, 0, TimeSpan.Zero, outcome.WallTime, TimeSpan.Zero, null)
            : Of(run, outcome.Iterations, outcome.WallTime) with { Config = outcome.Bug?.Config ?? config };
    }

    public EngineOutcome Replay(Scenario scenario, RunConfig config, EngineSettings settings, string? trace) => Run(scenario, config, settings);

    private EngineOutcome Of(RunResult run, long iterations, TimeSpan? wall) =>
        new(Name, run.Config, iterations, run.Violation, null, run.Hash, run.Steps, run.VirtualTime, wall ?? run.WallTime, run.WallTime, run.Log);
}
