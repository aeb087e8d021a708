namespace Sim.Campaign;

/// <summary>How `sim fuzz` was asked to run.</summary>
/// <param name="Config">The campaign.</param>
/// <param name="Shard">This run's shard of the units.</param>
/// <param name="Budget">The wall-time budget (from --budget, else the file), if any.</param>
/// <param name="Workers">Worker processes.</param>
/// <param name="OutDir">The results directory, as the user named it.</param>
/// <param name="Resume">Go on with the campaign already in <paramref name="OutDir"/>.</param>
/// <param name="Seeds">The seed base asked for; a resume of a campaign whose base came from a date goes on with its recorded base.</param>
/// <param name="TestFaults">The hidden test hook handed to the workers.</param>
public sealed record FuzzOptions(CampaignConfig Config, Shard Shard, (string Text, TimeSpan Value)? Budget, int Workers, string OutDir, bool Resume, SeedBase Seeds, string? TestFaults = null);
