namespace Sim.Worlds;

public abstract partial record FaultAction
{
    /// <summary>Cuts every link from each machine of <paramref name="From"/> to each of <paramref name="To"/> (and back unless one-way). Undone by <see cref="Heal"/>.</summary>
    public sealed record Partition(IReadOnlyList<string> From, IReadOnlyList<string> To, bool OneWay = false) : FaultAction
    {
        /// <summary>The shape the injector drew it as, for people reading the log (null for a scripted one).</summary>
        public PartitionMode? Shape { get; init; }

        public override string Subject => LinkText(From, To, OneWay);

        protected override string Verb => "partition";

        protected override string Arguments => Shape is { } shape ? $"shape {shape}" : "";

        /// <summary>Every directed link it cuts.</summary>
        public IReadOnlyList<(string From, string To)> Links => DirectedLinks(From, To, OneWay);

        public override FaultAction? Apply(World world)
        {
            foreach (var (from, to) in Links)
            {
                world.Network.Cut(world.Machine(from), world.Machine(to));
            }

            return new Heal(From, To, OneWay);
        }
    }

    /// <summary>Heals the links a <see cref="Partition"/> with the same groups cut.</summary>
    public sealed record Heal(IReadOnlyList<string> From, IReadOnlyList<string> To, bool OneWay = false) : FaultAction
    {
        public override string Subject => LinkText(From, To, OneWay);

        protected override string Verb => "heal";

        public override FaultAction? Apply(World world)
        {
            foreach (var (from, to) in DirectedLinks(From, To, OneWay))
            {
                world.Network.Heal(world.Machine(from), world.Machine(to));
            }

            return null;
        }
    }

    /// <summary>Heals every partition and clog.</summary>
    public sealed record HealNetwork : FaultAction
    {
        public override string Subject => "network";

        protected override string Verb => "heal-network";

        public override FaultAction? Apply(World world)
        {
            world.Network.HealAll();
            return null;
        }
    }

    /// <summary>
    /// Cuts <paramref name="Cuts"/> one at a time, in order, then heals them one at a time in <paramref name="HealOrder"/>,
    /// evenly over <paramref name="For"/>; no cut happens from the quiet point on.
    /// </summary>
    public sealed record Swizzle(IReadOnlyList<(string From, string To)> Cuts, IReadOnlyList<(string From, string To)> HealOrder, TimeSpan For) : FaultAction
    {
        public override string Subject => string.Join(',', Cuts.SelectMany(c => new[] { c.From, c.To }).Distinct().Order(StringComparer.Ordinal));

        protected override string Verb => "swizzle";

        protected override string Arguments =>
            $"cut {string.Join(' ', Cuts.Select(c => $"{c.From}->{c.To}"))} heal {string.Join(' ', HealOrder.Select(c => $"{c.From}->{c.To}"))} over {Seconds(For)}";

        public override FaultAction? Apply(World world)
        {
            var step = TimeSpan.FromTicks(For.Ticks / ((2 * Cuts.Count) + 1));
            var start = world.Now;
            for (var i = 0; i < Cuts.Count; i++)
            {
                var (from, to) = (world.Machine(Cuts[i].From), world.Machine(Cuts[i].To));
                world.Runtime.At(start + (step * i), () =>
                {
                    if (world.Now < world.QuietAt)
                    {
                        world.Network.Cut(from, to);
                    }
                });
            }

            for (var i = 0; i < HealOrder.Count; i++)
            {
                var (from, to) = (world.Machine(HealOrder[i].From), world.Machine(HealOrder[i].To));
                world.Runtime.At(start + (step * (Cuts.Count + i + 1)), () => world.Network.Heal(from, to));
            }

            return null;
        }
    }

    private static IReadOnlyList<(string From, string To)> DirectedLinks(IReadOnlyList<string> from, IReadOnlyList<string> to, bool oneWay) =>
        [.. from.SelectMany(a => to.SelectMany(b => oneWay ? [(a, b)] : new[] { (a, b), (b, a) }))];

    private static string LinkText(IReadOnlyList<string> from, IReadOnlyList<string> to, bool oneWay) =>
        $"{string.Join(',', from)}{(oneWay ? "->" : "<->")}{string.Join(',', to)}";
}

/// <summary>Partitions: links between machines are cut in one of several shapes, then healed.</summary>
public sealed record PartitionFault() : LastingFaultKind(DurationRange.Seconds(1, 10))
{
    public override string Name => "partition";

    public override string Description => "cuts links between machines in one of modes (two machines both ways or one way, a group split, one machine isolated, a swizzle) for lasting";

    /// <summary>Which shapes may be drawn.</summary>
    public IReadOnlyList<PartitionMode> Modes { get; init; } = Enum.GetValues<PartitionMode>();

    protected override string Knobs => $"{base.Knobs} modes {string.Join(',', Modes)}";

    public override void Validate()
    {
        base.Validate();
        if (PerMinute > 0 && Modes.Count == 0)
        {
            throw new ArgumentException($"fault kind '{Name}': partitions are enabled but no partition mode is");
        }
    }

    public override FaultAction? Draw(World world, Rng rng)
    {
        var machines = world.OrderedMachines();
        if (machines.Count < 2)
        {
            return null;
        }

        var mode = rng.Pick(Modes);
        var lasting = Lasting.Draw(rng);
        switch (mode)
        {
            case PartitionMode.Symmetric or PartitionMode.Asymmetric:
                var (a, b) = world.PickTwoMachines(rng)!.Value;
                return new FaultAction.Partition([a.Name], [b.Name], OneWay: mode == PartitionMode.Asymmetric) { Shape = mode, Lasts = lasting };
            case PartitionMode.IsolateOne:
                var lone = rng.Pick(machines);
                return new FaultAction.Partition([lone.Name], [.. machines.Where(m => m != lone).Select(m => m.Name)]) { Shape = mode, Lasts = lasting };
            case PartitionMode.GroupSplit or PartitionMode.Swizzle:
                var shuffled = rng.Shuffle(machines.Select(m => m.Name).ToList());
                var split = 1 + rng.Next(shuffled.Count - 1);
                var (left, right) = (shuffled.Take(split).ToList(), shuffled.Skip(split).ToList());
                if (mode == PartitionMode.GroupSplit)
                {
                    return new FaultAction.Partition(left, right) { Shape = mode, Lasts = lasting };
                }

                var cuts = left.SelectMany(x => right.SelectMany(y => new[] { (x, y), (y, x) })).ToList();
                return new FaultAction.Swizzle(cuts, rng.Shuffle(cuts), lasting);
            default:
                throw new InvalidOperationException($"unknown partition mode {mode}");
        }
    }

    public override IEnumerable<FaultAction> Heal(World world) =>
        world.Network.Cuts.Count > 0 || world.Network.ClogCount > 0 ? [new FaultAction.HealNetwork()] : [];

    public override IFaultKind Swarm(Rng rng)
    {
        var modes = Enum.GetValues<PartitionMode>().Where(_ => rng.Next(2) == 0).ToList();
        return this with
        {
            PerMinute = SwarmRate(rng, 1, 10),
            Lasting = DurationRange.Swarm(rng, TimeSpan.FromSeconds(0.5), TimeSpan.FromSeconds(3), TimeSpan.FromSeconds(8)),
            Modes = modes.Count > 0 ? modes : [rng.Pick(Enum.GetValues<PartitionMode>())],
        };
    }
}
