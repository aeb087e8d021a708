using Sim.Stack.Buggify;

namespace Sim.Worlds;

/// <summary>
/// BUGGIFY with FoundationDB's semantics (flow/Buggify.h): the first time a run reaches a site, the site is
/// enabled with probability <see cref="EnableProbability"/>; an enabled site then fires with probability
/// <see cref="FireProbability"/> each time it is reached. Nothing fires from the quiet point on, so liveness
/// is judged on the plain paths. Every decision is a typed event; the draws come from the run's
/// <c>faults/buggify</c> stream (a Coyote choice under the Coyote engine), so a seed or a trace replays them.
/// </summary>
public sealed class Buggifier(World world)
{
    public const double EnableProbability = 0.25;
    public const double FireProbability = 0.25;

    private readonly Dictionary<string, bool> sites = new(StringComparer.Ordinal);
    private readonly Rng rng = world.StreamFor("faults/buggify");

    /// <summary>Whether BUGGIFY is on for the run (<see cref="WorldOptions.Buggify"/>).</summary>
    public bool Enabled => world.Options.Buggify;

    /// <summary>The sites reached so far and whether each was enabled.</summary>
    public IReadOnlyDictionary<string, bool> Sites => sites;

    /// <summary>Whether <paramref name="process"/> takes the rare path at <paramref name="site"/> this time.</summary>
    public bool Reached(string site, string process)
    {
        if (!Enabled || world.Now >= world.QuietAt)
        {
            return false;
        }

        if (!sites.TryGetValue(site, out var enabled))
        {
            if (BuggifyCatalogue.Find(site) is null)
            {
                throw new ArgumentException($"BUGGIFY site '{site}' is not in the catalogue (Sim.Stack.Buggify.BuggifyCatalogue): list it there with what it does");
            }

            enabled = Draw(EnableProbability);
            sites[site] = enabled;
            world.Emit(new BuggifySiteReached(site, enabled), process);
        }

        if (!enabled || !Draw(FireProbability))
        {
            return false;
        }

        world.Emit(new BuggifyFired(site), process);
        return true;
    }

    /// <summary>How far a fired site goes (a delay), drawn from the same stream.</summary>
    public TimeSpan Between(TimeSpan min, TimeSpan max) => rng.Between(min, max);

    // One choice of four values, not a fraction of two 256-valued choices: cheaper for Coyote's strategies.
    private bool Draw(double p) => rng.Next(4) < (int)(p * 4);
}
