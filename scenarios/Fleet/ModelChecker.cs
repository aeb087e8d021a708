namespace Sim.Scenarios.Fleet;

/// <summary>
/// Model-based: after every step the running coordinator's state (registry, key mapping, queued tasks, undelivered
/// results, runs, next ids) equals the reference model's (<see cref="FleetModel"/>); right after a durable restart it
/// must be one of the states the coordinator was in since its previous start.
/// </summary>
public sealed class ModelChecker
{
    public const string StateMatchesModel = "coordinator-state-matches-the-model";

    public ModelChecker(ScenarioContext context, FleetModel model) =>
        context.Always(StateMatchesModel, () => model.Difference() is { } difference ? $"{model.Coordinator.Name}: {difference}" : null);
}
