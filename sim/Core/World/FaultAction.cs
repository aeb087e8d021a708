namespace Sim.Worlds;

/// <summary>One scripted fault of a timeline. Applied by the fault injector at its time.</summary>
public abstract record FaultAction
{
    public abstract void Apply(World world);

    /// <summary>Kills a process (memory and unflushed writes lost).</summary>
    public sealed record Kill(string Process) : FaultAction
    {
        public override void Apply(World world) => world.Kill(world.Process(Process), "killed (timeline)");
    }

    /// <summary>Starts a process that is down.</summary>
    public sealed record Start(string Process) : FaultAction
    {
        public override void Apply(World world) => world.Start(world.Process(Process));
    }

    /// <summary>Kills then starts a process.</summary>
    public sealed record Restart(string Process) : FaultAction
    {
        public override void Apply(World world) => world.Restart(world.Process(Process));
    }

    /// <summary>Graceful stop: the lifetime token fires; killed after the grace period.</summary>
    public sealed record Stop(string Process, TimeSpan Grace) : FaultAction
    {
        public override void Apply(World world) => world.Stop(world.Process(Process), Grace);
    }

    public sealed record Pause(string Process) : FaultAction
    {
        public override void Apply(World world) => world.Pause(world.Process(Process));
    }

    public sealed record Resume(string Process) : FaultAction
    {
        public override void Apply(World world) => world.Resume(world.Process(Process));
    }

    /// <summary>Cuts every link from each machine of <paramref name="From"/> to each of <paramref name="To"/> (and back unless one-way).</summary>
    public sealed record Partition(IReadOnlyList<string> From, IReadOnlyList<string> To, bool OneWay = false) : FaultAction
    {
        public override void Apply(World world)
        {
            foreach (var a in From)
            {
                foreach (var b in To)
                {
                    world.Network.Cut(world.Machine(a), world.Machine(b));
                    if (!OneWay)
                    {
                        world.Network.Cut(world.Machine(b), world.Machine(a));
                    }
                }
            }
        }
    }

    /// <summary>Heals every partition and clog.</summary>
    public sealed record HealNetwork : FaultAction
    {
        public override void Apply(World world) => world.Network.HealAll();
    }

    /// <summary>Holds frames from one machine to another for a while.</summary>
    public sealed record Clog(string From, string To, TimeSpan For) : FaultAction
    {
        public override void Apply(World world) => world.Network.Clog(world.Machine(From), world.Machine(To), world.Now + For);
    }

    /// <summary>Fails every TLS session the process holds.</summary>
    public sealed record ExpireTls(string Process) : FaultAction
    {
        public override void Apply(World world) => world.Network.ExpireSessions(world.Process(Process));
    }

    /// <summary>Sets a machine's clock skew.</summary>
    public sealed record Skew(string Machine, TimeSpan By) : FaultAction
    {
        public override void Apply(World world) => world.SetClockSkew(world.Machine(Machine), By);
    }

    /// <summary>Issues a fresh certificate into a named slot; new handshakes get it.</summary>
    public sealed record RotateCertificate(string Slot) : FaultAction
    {
        public override void Apply(World world) =>
            (world.Certificates.TryGetValue(Slot, out var slot) ? slot : throw new ArgumentException($"no certificate slot named '{Slot}'")).Rotate();
    }

    /// <summary>Runs arbitrary world code (certificate rotation, scenario-specific faults).</summary>
    public sealed record Custom(string Name, Action<World> Action) : FaultAction
    {
        public override void Apply(World world)
        {
            world.Log("fault.custom", Name, "");
            Action(world);
        }
    }
}
