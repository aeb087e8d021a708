namespace Sim.Worlds;

public abstract partial record FaultAction
{
    /// <summary>A graceful stop: the process's lifetime token fires, and after <paramref name="Grace"/> it is killed. Undone by <see cref="Start"/>.</summary>
    public sealed record Stop(string Process, TimeSpan Grace) : FaultAction
    {
        public override string Subject => Process;

        protected override string Verb => "stop";

        protected override string Arguments => $"grace {Seconds(Grace)}";

        public override FaultAction? Apply(World world)
        {
            var process = world.Process(Process);
            if (!process.IsUp)
            {
                return null;
            }

            world.Stop(process, Grace);
            return new Start(Process);
        }
    }
}

/// <summary>Graceful stops: a killable process is asked to stop (it may say goodbye), is killed after a grace period, and restarts later.</summary>
public sealed record StopFault : FaultKind
{
    public override string Name => "stop";

    public override string Description => "stops a killable process gracefully (its lifetime token fires; killed after grace); it restarts restart-after from the stop";

    /// <summary>How long a stopping process may take to leave before it is killed.</summary>
    public TimeSpan Grace { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>How long after the stop the process starts again (counted from the stop, so at least <see cref="Grace"/> is added).</summary>
    public DurationRange RestartAfter { get; init; } = DurationRange.Seconds(1, 5);

    protected override string Knobs => $"grace {Grace.TotalSeconds:0.###}s restart-after {RestartAfter}";

    public override void Validate()
    {
        base.Validate();
        RestartAfter.Validate(Name, nameof(RestartAfter));
        if (Grace < TimeSpan.Zero)
        {
            throw new ArgumentException($"fault kind '{Name}': {nameof(Grace)} must be >= 0 (got {Grace})");
        }
    }

    public override FaultAction? Draw(World world, Rng rng) =>
        world.PickProcess(rng, p => p.IsUp && p.Killable && !p.Stopping) is { } victim
            ? new FaultAction.Stop(victim.Name, Grace) { Lasts = Grace + RestartAfter.Draw(rng) }
            : null;

    /// <summary>A process still stopping is restarted (its pending kill is void for the new incarnation); one down is started.</summary>
    public override IEnumerable<FaultAction> Heal(World world) =>
        [.. world.Processes.Where(p => p.Stopping).OrderBy(p => p.Name, StringComparer.Ordinal).Select(p => new FaultAction.Restart(p.Name)),
            .. FaultTargets.StartsOfDownProcesses(world)];

    public override IFaultKind Swarm(Rng rng) => this with
    {
        PerMinute = SwarmRate(rng, 0.5, 6),
        Grace = rng.Between(TimeSpan.FromSeconds(0.1), TimeSpan.FromSeconds(2)),
        RestartAfter = DurationRange.Swarm(rng, TimeSpan.FromSeconds(0.1), TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(4)),
    };
}
