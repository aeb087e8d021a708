using Sim.Scenarios;

namespace Sim.Engine;

/// <summary>
/// An engine that drives a scenario's world: the deterministic <c>loop</c> engine or <c>coyote</c>. The `sim`
/// command, the campaign's units and the defect benchmark go through this interface, so none of them switches on
/// the engine's name; every call returns an <see cref="EngineOutcome"/>.
/// </summary>
public interface IEngine
{
    /// <summary><c>loop</c> or <c>coyote</c>.</summary>
    string Name { get; }

    /// <summary>Its scheduling strategies; the first is the default.</summary>
    IReadOnlyList<string> Strategies { get; }

    /// <summary>
    /// True when iteration i of an exploration runs seed S + i (the loop engine); false when the seed seeds the
    /// engine's own search (Coyote's random seed), so only its first iteration is that seed's run.
    /// </summary>
    bool SeedPerIteration { get; }

    /// <summary>Whether its strategies take a bound (<see cref="EngineSettings.StrategyBound"/>).</summary>
    bool HasStrategyBound { get; }

    /// <summary>One run from the config's seed: a loop-engine run, or one Coyote iteration with the seed as Coyote's seed.</summary>
    EngineOutcome Run(Scenario scenario, RunConfig config, EngineSettings settings);

    /// <summary>Explores until the first bug or the end of <paramref name="budget"/>.</summary>
    /// <param name="afterEach">Called with the number of iterations done after each one, where the engine can (the loop engine).</param>
    EngineOutcome Explore(Scenario scenario, RunConfig config, EngineSettings settings, ExploreBudget budget, Action<long>? afterEach = null);

    /// <summary>
    /// Replays a finding: the loop engine runs its seed again; Coyote follows <paramref name="trace"/>, its
    /// reproducible trace (required for Coyote, ignored by the loop engine).
    /// </summary>
    EngineOutcome Replay(Scenario scenario, RunConfig config, EngineSettings settings, string? trace);
}
