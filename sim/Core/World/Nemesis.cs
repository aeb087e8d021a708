namespace Sim.Worlds;

/// <summary>
/// The fault injector. Draws faults from its own stream as a Poisson process over the profile's rates,
/// applies a scripted timeline, and at the quiet point heals everything (restarts what is down, heals the
/// network, resumes the paused, clears clock skew) so liveness can be judged.
/// </summary>
public sealed class Nemesis
{
    private readonly World world;
    private readonly FaultProfile profile;
    private readonly Rng rng;
    private readonly TimeSpan quietAt;
    private readonly HashSet<SimProcess> killedByUs = [];

    public Nemesis(World world, FaultProfile profile, IReadOnlyList<(TimeSpan At, FaultAction Action)> timeline, TimeSpan quietAt)
    {
        profile.Validate();
        this.world = world;
        this.profile = profile;
        this.quietAt = quietAt;
        rng = world.StreamFor("faults");
        foreach (var (at, action) in timeline.OrderBy(t => t.At))
        {
            world.Runtime.At(at, () =>
            {
                world.Log("fault.timeline", action.GetType().Name, action.ToString());
                action.Apply(world);
            });
        }

        if (profile.TotalRate > 0)
        {
            ScheduleNext();
        }

        world.Runtime.At(quietAt, HealEverything);
    }

    public int FaultsInjected { get; private set; }

    public bool Quiet => world.Now >= quietAt;

    private void ScheduleNext()
    {
        var gap = rng.Exponential(TimeSpan.FromMinutes(1 / profile.TotalRate));
        var at = world.Now + gap;
        if (at >= quietAt)
        {
            return;
        }

        world.Runtime.At(at, () =>
        {
            InjectOne();
            ScheduleNext();
        });
    }

    private void InjectOne()
    {
        var pick = rng.NextDouble() * profile.TotalRate;
        FaultsInjected++;
        if ((pick -= profile.KillsPerMinute) < 0)
        {
            KillOne();
        }
        else if ((pick -= profile.PartitionsPerMinute) < 0)
        {
            Partition();
        }
        else if ((pick -= profile.ClogsPerMinute) < 0)
        {
            var (a, b) = TwoMachines();
            if (a is not null)
            {
                world.Network.Clog(a, b!, world.Now + rng.Between(profile.ClogMin, profile.ClogMax));
            }
        }
        else if ((pick -= profile.TlsExpiriesPerMinute) < 0)
        {
            if (PickProcess(p => p.IsUp) is { } p)
            {
                world.Log("fault.tls-expire", p.Name, "");
                world.Network.ExpireSessions(p);
            }
        }
        else if ((pick -= profile.ResetsPerMinute) < 0)
        {
            var ids = world.Network.ConnectionIds;
            if (ids.Count > 0)
            {
                world.Network.ResetConnection(rng.Pick(ids), "connection reset by fault injector");
            }
        }
        else if ((pick -= profile.SkewsPerMinute) < 0)
        {
            var machines = world.Machines.ToList();
            var machine = rng.Pick(machines);
            var skew = TimeSpan.FromTicks((long)((rng.NextDouble() * 2 - 1) * profile.MaxSkew.Ticks));
            world.SetClockSkew(machine, skew);
        }
        else if (PickProcess(p => p.IsUp && p.Killable && !p.Paused) is { } paused)
        {
            world.Pause(paused);
            var incarnation = paused.Incarnation;
            world.Runtime.At(world.Now + rng.Between(profile.PauseMin, profile.PauseMax), () =>
            {
                if (paused.Incarnation == incarnation)
                {
                    world.Resume(paused);
                }
            });
        }
    }

    private void KillOne()
    {
        if (PickProcess(p => p.IsUp && p.Killable) is not { } victim)
        {
            return;
        }

        world.Kill(victim, "killed by fault injector");
        killedByUs.Add(victim);
        world.Runtime.At(world.Now + rng.Between(profile.RestartAfterMin, profile.RestartAfterMax), () =>
        {
            if (!victim.IsUp && killedByUs.Remove(victim))
            {
                world.Start(victim);
            }
        });
    }

    private void Partition()
    {
        var machines = world.Machines.OrderBy(m => m.Name, StringComparer.Ordinal).ToList();
        if (machines.Count < 2)
        {
            return;
        }

        var mode = rng.Pick(profile.PartitionModes);
        var duration = rng.Between(profile.PartitionMin, profile.PartitionMax);
        var cuts = new List<(Machine From, Machine To)>();
        switch (mode)
        {
            case PartitionMode.Symmetric:
            case PartitionMode.Asymmetric:
                {
                    var (a, b) = TwoMachines();
                    cuts.Add((a!, b!));
                    if (mode == PartitionMode.Symmetric)
                    {
                        cuts.Add((b!, a!));
                    }

                    break;
                }

            case PartitionMode.IsolateOne:
                {
                    var lone = rng.Pick(machines);
                    foreach (var other in machines.Where(m => m != lone))
                    {
                        cuts.Add((lone, other));
                        cuts.Add((other, lone));
                    }

                    break;
                }

            case PartitionMode.GroupSplit:
            case PartitionMode.Swizzle:
                {
                    var shuffled = Shuffle(machines);
                    var split = 1 + rng.Next(shuffled.Count - 1);
                    foreach (var a in shuffled.Take(split))
                    {
                        foreach (var b in shuffled.Skip(split))
                        {
                            cuts.Add((a, b));
                            cuts.Add((b, a));
                        }
                    }

                    break;
                }
        }

        world.Log("fault.partition", mode.ToString(), $"{string.Join(' ', cuts.Select(c => $"{c.From}->{c.To}"))} for {duration.TotalSeconds:F3}s");
        if (mode == PartitionMode.Swizzle)
        {
            // Cut one link at a time, then heal them one at a time in a fresh random order.
            var step = TimeSpan.FromTicks(duration.Ticks / (2 * cuts.Count + 1));
            for (var i = 0; i < cuts.Count; i++)
            {
                var (from, to) = cuts[i];
                world.Runtime.At(world.Now + step * i, () => CutUnlessQuiet(from, to));
            }

            var healOrder = Shuffle(cuts);
            for (var i = 0; i < healOrder.Count; i++)
            {
                var (from, to) = healOrder[i];
                world.Runtime.At(world.Now + step * (cuts.Count + i + 1), () => world.Network.Heal(from, to));
            }

            return;
        }

        foreach (var (from, to) in cuts)
        {
            world.Network.Cut(from, to);
        }

        world.Runtime.At(world.Now + duration, () =>
        {
            foreach (var (from, to) in cuts)
            {
                world.Network.Heal(from, to);
            }
        });
    }

    private void CutUnlessQuiet(Machine from, Machine to)
    {
        if (!Quiet)
        {
            world.Network.Cut(from, to);
        }
    }

    private (Machine? A, Machine? B) TwoMachines()
    {
        var machines = world.Machines.OrderBy(m => m.Name, StringComparer.Ordinal).ToList();
        if (machines.Count < 2)
        {
            return (null, null);
        }

        var a = rng.Next(machines.Count);
        var b = (a + 1 + rng.Next(machines.Count - 1)) % machines.Count;
        return (machines[a], machines[b]);
    }

    private SimProcess? PickProcess(Func<SimProcess, bool> filter)
    {
        var candidates = world.Processes.Where(filter).OrderBy(p => p.Name, StringComparer.Ordinal).ToList();
        return candidates.Count == 0 ? null : rng.Pick(candidates);
    }

    private List<T> Shuffle<T>(IReadOnlyList<T> items)
    {
        var list = items.ToList();
        for (var i = list.Count - 1; i > 0; i--)
        {
            var j = rng.Next(i + 1);
            (list[i], list[j]) = (list[j], list[i]);
        }

        return list;
    }

    private void HealEverything()
    {
        world.Log("fault.quiet", "world", "faults stop; healing everything");
        world.Network.HealAll();
        foreach (var machine in world.Machines.Where(m => m.ClockSkew != TimeSpan.Zero).OrderBy(m => m.Name, StringComparer.Ordinal))
        {
            world.SetClockSkew(machine, TimeSpan.Zero);
        }

        foreach (var process in world.Processes.OrderBy(p => p.Name, StringComparer.Ordinal))
        {
            if (process.Paused)
            {
                world.Resume(process);
            }

            if (!process.IsUp && process.State != ProcessState.Created)
            {
                world.Start(process);
            }
        }
    }
}
