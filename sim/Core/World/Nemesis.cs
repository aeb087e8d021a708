namespace Sim.Worlds;

/// <summary>
/// The fault injector. Every kind of the run's profile is a Poisson process at its rate, drawing from its own
/// stream of the run (<c>faults/&lt;kind&gt;</c>); a scripted timeline applies the same <see cref="FaultAction"/>
/// records. Every action applied is logged as the typed event it is; one that <see cref="FaultAction.Lasts"/>
/// is undone that much later. At the quiet point every registered kind heals what its family left (restarts
/// what is down, heals the network, resumes the paused, clears clock skew, ...) so liveness can be judged.
/// </summary>
public sealed class Nemesis
{
    private readonly World world;

    /// <param name="world">The run's world.</param>
    /// <param name="profile">The run's concrete profile (a swarm template already drawn: <see cref="FaultProfile.ForRun"/>).</param>
    /// <param name="timeline">Scripted faults and their times.</param>
    /// <param name="quietAt">When faults stop and everything heals.</param>
    public Nemesis(World world, FaultProfile profile, IReadOnlyList<(TimeSpan At, FaultAction Action)> timeline, TimeSpan quietAt)
    {
        if (profile.DrawnPerRun)
        {
            throw new ArgumentException($"fault profile '{profile.Name}' is a swarm template: draw the run's own with ForRun first");
        }

        profile.Validate();
        this.world = world;
        Profile = profile;
        world.QuietAt = quietAt;
        world.Emit(new FaultPlan(profile, world.Buggify.Enabled), profile.Name);
        foreach (var (at, action) in timeline.OrderBy(t => t.At))
        {
            world.Runtime.At(at, () => world.Inject(action));
        }

        foreach (var kind in profile.Faults.Where(k => k.PerMinute > 0))
        {
            ScheduleNext(kind, world.StreamFor("faults/" + kind.Name));
        }

        world.Runtime.At(quietAt, HealEverything);
    }

    /// <summary>The profile the injector draws from.</summary>
    public FaultProfile Profile { get; }

    /// <summary>Faults drawn and applied so far (scripted ones and undos not counted).</summary>
    public int FaultsInjected { get; private set; }

    public bool Quiet => world.Now >= world.QuietAt;

    private void ScheduleNext(IFaultKind kind, Rng rng)
    {
        var at = world.Now + rng.Exponential(TimeSpan.FromMinutes(1 / kind.PerMinute));
        if (at >= world.QuietAt)
        {
            return;
        }

        world.Runtime.At(at, () =>
        {
            if (kind.Draw(world, rng) is { } action)
            {
                FaultsInjected++;
                world.Inject(action with { Origin = FaultOrigin.Drawn });
            }

            ScheduleNext(kind, rng);
        });
    }

    private void HealEverything()
    {
        world.Emit(new FaultsQuiet(), "world");
        foreach (var kind in FaultKinds.All)
        {
            foreach (var heal in kind.Heal(world))
            {
                if (heal.Applies(world))
                {
                    world.Inject(heal with { Origin = FaultOrigin.Quiet });
                }
            }
        }
    }
}
