using Sim.Stack.Host;

namespace Sim.Worlds;

/// <summary>
/// Sites, machines, processes, the network, TLS, disks, clocks and the event log of one run. Driven by an
/// engine through <see cref="IRuntime"/>; holds no static mutable state, so runs never leak into each other.
/// </summary>
public sealed class World
{
    /// <summary>Virtual time zero as a wall-clock instant.</summary>
    public static readonly DateTime Epoch = new(2026, 1, 1, 0, 0, 0, DateTimeKind.Utc);

    private readonly Dictionary<string, Machine> machines = new(StringComparer.Ordinal);
    private readonly Dictionary<string, SimProcess> processes = new(StringComparer.Ordinal);

    private readonly Func<string, Rng> streams;
    private readonly Dictionary<Type, List<Action<LoggedEvent>>> subscribers = [];

    /// <param name="seed">The run's seed.</param>
    /// <param name="runtime">The engine driving the world.</param>
    /// <param name="options">World-wide knobs.</param>
    /// <param name="streams">Makes the named randomness streams (default: seeded xoshiro streams; the Coyote engine routes every draw through Coyote).</param>
    public World(ulong seed, IRuntime runtime, WorldOptions options, Func<string, Rng>? streams = null)
    {
        options.Network.Validate();
        Seed = seed;
        this.streams = streams ?? (name => Rng.Stream(seed, name));
        Runtime = runtime;
        Options = options;
        Events = new EventLog(options.KeepEventLog);
        Network = new Network(this, StreamFor("network"));
        Tls = new TlsModel(this);
        WorldContext = new ExecutionContextOwner(runtime, "world", null, 0);
        Buggify = new Buggifier(this);
    }

    public ulong Seed { get; }

    public IRuntime Runtime { get; }

    public WorldOptions Options { get; internal set; }

    public EventLog Events { get; }

    public Network Network { get; }

    internal TlsModel Tls { get; }

    /// <summary>The context world-level loops (fault injection, checkers) run in.</summary>
    public ExecutionContextOwner WorldContext { get; }

    public TimeSpan Now => Runtime.Now;

    public Violation? Violation { get; private set; }

    /// <summary>When faults stop and everything heals (set by the fault injector); BUGGIFY never fires from then on.</summary>
    public TimeSpan QuietAt { get; internal set; } = TimeSpan.MaxValue;

    /// <summary>The run's BUGGIFY sites: which are enabled, and the draws that fire them.</summary>
    public Buggifier Buggify { get; }

    /// <summary>Files on processes' disks that a config-rewrite fault may rewrite, as the scenario registered them.</summary>
    public ConfigFiles ConfigFiles { get; } = new();

    public IReadOnlyCollection<Machine> Machines => machines.Values;

    public IReadOnlyCollection<SimProcess> Processes => processes.Values;

    /// <summary>Rotatable certificates by name.</summary>
    public Dictionary<string, CertificateSlot> Certificates { get; } = new(StringComparer.Ordinal);

    /// <summary>The randomness stream named <paramref name="name"/> of this run.</summary>
    public Rng StreamFor(string name) => streams(name);

    public Machine Machine(string name) => machines.TryGetValue(name, out var m) ? m : throw new ArgumentException($"no machine named '{name}'");

    public SimProcess Process(string name) => processes.TryGetValue(name, out var p) ? p : throw new ArgumentException($"no process named '{name}'");

    public Machine AddMachine(string name, string site, params string[] addresses)
    {
        if (addresses.Length == 0)
        {
            throw new ArgumentException($"machine {name} needs at least one address");
        }

        var machine = new Machine(name, site, addresses);
        if (!machines.TryAdd(name, machine))
        {
            throw new ArgumentException($"machine '{name}' already exists");
        }

        Network.AddMachine(machine);
        Emit(new MachineAdded(site, addresses), name);
        return machine;
    }

    public SimProcess AddProcess(string name, Machine machine, Func<IHost, Task> main, bool killable = true)
    {
        var process = new SimProcess(name, machine, main, killable);
        if (!processes.TryAdd(name, process))
        {
            throw new ArgumentException($"process '{name}' already exists");
        }

        return process;
    }

    // ---- process lifecycle ---------------------------------------------------------------------------

    public void Start(SimProcess process)
    {
        if (process.IsUp)
        {
            return;
        }

        process.Incarnation++;
        var owner = new ExecutionContextOwner(Runtime, $"{process.Name}#{process.Incarnation}", process, process.Incarnation);
        var lifetime = new CancellationTokenSource();
        process.Owner = owner;
        process.Lifetime = lifetime;
        process.State = ProcessState.Running;
        process.Paused = false;
        var host = new ProcessHost(this, process, owner, lifetime.Token);
        process.Host = host;
        Emit(new ProcessStarted(process.Incarnation, process.Machine.Name), process.Name);
        owner.Run(() => _ = RunMainAsync(process, host));
    }

    /// <summary>Kills a process: its memory and unflushed writes are lost, its connections reset.</summary>
    public void Kill(SimProcess process, string why = "killed")
    {
        if (!process.IsUp)
        {
            return;
        }

        process.Owner!.Alive = false;
        var lost = process.Machine.Disks.TryGetValue(process.Name, out var disk) ? disk.LoseUnflushed() : 0;
        process.State = ProcessState.Down;
        process.Paused = false;
        process.Host = null;
        Emit(new ProcessKilled(process.Incarnation, why, lost), process.Name);
        Network.ProcessDown(process, why);
    }

    /// <summary>Graceful stop: the process's lifetime token fires, then after <paramref name="grace"/> it is killed.</summary>
    public void Stop(SimProcess process, TimeSpan grace)
    {
        if (!process.IsUp)
        {
            return;
        }

        var incarnation = process.Incarnation;
        Emit(new ProcessStopping(incarnation, grace), process.Name);
        process.Lifetime!.Cancel();
        Runtime.At(Now + grace, () =>
        {
            if (process.IsUp && process.Incarnation == incarnation)
            {
                Kill(process, "stopped");
            }
        });
    }

    public void Restart(SimProcess process)
    {
        Kill(process, "killed for restart");
        Start(process);
    }

    public void Pause(SimProcess process)
    {
        if (process.IsUp && !process.Paused)
        {
            process.Paused = true;
            Emit(new ProcessPaused(process.Incarnation), process.Name);
        }
    }

    public void Resume(SimProcess process)
    {
        if (process.IsUp && process.Paused)
        {
            process.Paused = false;
            Emit(new ProcessResumed(process.Incarnation), process.Name);
            Runtime.Resumed(process.Owner!);
        }
    }

    public void SetClockSkew(Machine machine, TimeSpan skew)
    {
        machine.ClockSkew = skew;
        Emit(new ClockSkewed(skew), machine.Name);
    }

    // ---- time, log, invariants -----------------------------------------------------------------------

    /// <summary>
    /// A task that completes after <paramref name="delay"/> of virtual time — unless <paramref name="owner"/>
    /// (the incarnation waiting) was killed meanwhile: then it never completes, and the dead code never resumes.
    /// </summary>
    public Task Sleep(TimeSpan delay, CancellationToken cancellationToken = default, ExecutionContextOwner? owner = null)
    {
        if (cancellationToken.IsCancellationRequested)
        {
            return Task.FromCanceled(cancellationToken);
        }

        var tcs = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        CancellationTokenRegistration registration = default;
        var deferred = false;
        var pending = true;
        if (owner is not null)
        {
            owner.PendingTimers++;
        }

        void Done()
        {
            if (pending && owner is not null)
            {
                pending = false;
                owner.PendingTimers--;
            }
        }

        TimerHandle timer = null!;
        void Fire()
        {
            // A slow process is woken late: once per wake-up, by its slowness at that moment.
            if (!deferred && owner is { WakeDelay: var late } && late > TimeSpan.Zero)
            {
                deferred = true;
                timer = Runtime.At(Now + late, Fire);
                return;
            }

            registration.Unregister();
            Done();
            if (owner is null)
            {
                tcs.TrySetResult();
            }
            else
            {
                owner.EndWait(() =>
                {
                    if (owner.Alive && tcs.TrySetResult())
                    {
                        owner.Woke();
                    }
                });
            }
        }

        timer = Runtime.At(Now + (delay < TimeSpan.Zero ? TimeSpan.Zero : delay), Fire);
        if (cancellationToken.CanBeCanceled)
        {
            registration = cancellationToken.Register(() =>
            {
                timer.Cancel();
                Done();
                if (owner is not { Alive: false } && tcs.TrySetCanceled(cancellationToken))
                {
                    owner?.Woke();
                }
            });
        }

        return tcs.Task;
    }

    /// <summary>
    /// What <paramref name="process"/>'s current incarnation holds now: listeners, open connections (either end),
    /// armed timers and running background loops. The resource checkers of scenarios compare it, after the quiet
    /// point and a settling bound, with what the live clients justify.
    /// </summary>
    public ProcessResources Resources(SimProcess process) => new(
        process.Name,
        process.Incarnation,
        process.IsUp,
        Network.ListenersOf(process),
        Network.ConnectionsOf(process),
        process.IsUp ? process.Owner!.PendingTimers : 0,
        process.IsUp ? process.Owner!.RunningLoops : 0);

    /// <summary>
    /// Logs <paramref name="action"/> as the typed event it is and applies it; when it <see cref="FaultAction.Lasts"/>
    /// a while, applies its undo that much later, unless the quiet point (which heals everything) came first. The
    /// one path for every fault: drawn by the injector, scheduled by a timeline, applied by a script.
    /// </summary>
    public void Inject(FaultAction action)
    {
        Emit(action, action.Subject);
        var undo = action.Apply(this);
        if (undo is null || action.Lasts is not { } lasts)
        {
            return;
        }

        Runtime.At(Now + lasts, () =>
        {
            if (Now < QuietAt && undo.Applies(this))
            {
                Inject(undo with { Origin = FaultOrigin.Undo });
            }
        });
    }

    /// <summary>Records a free-text line (a <see cref="Note"/>): for people, never parsed back.</summary>
    public void Log(string kind, string subject, string details) => Emit(new Note(kind, details), subject);

    /// <summary>
    /// Records <paramref name="evt"/> in the event log, stamped with the step, virtual time and
    /// <paramref name="subject"/> (its own <see cref="SimEvent.Subject"/> wins), then hands it to every
    /// subscriber of its type or of a base type, in the order they subscribed.
    /// </summary>
    public void Emit(SimEvent evt, string subject)
    {
        if (Events.Sealed)
        {
            // The run is over: what still runs (Coyote's in-flight continuations) is not part of it.
            return;
        }

        var logged = new LoggedEvent(Runtime.Step, Now, evt.Subject ?? subject, evt);
        Events.Append(logged);
        for (var type = evt.GetType(); type is not null && type != typeof(object); type = type.BaseType)
        {
            if (subscribers.TryGetValue(type, out var handlers))
            {
                // A handler may subscribe more: iterate over the handlers present when the event arrived.
                for (int i = 0, n = handlers.Count; i < n; i++)
                {
                    handlers[i](logged);
                }
            }
        }
    }

    /// <summary>Calls <paramref name="handler"/> for every event of type <typeparamref name="T"/> (or derived) from now on.</summary>
    public void On<T>(Action<T, LoggedEvent> handler)
        where T : SimEvent
    {
        if (!subscribers.TryGetValue(typeof(T), out var handlers))
        {
            subscribers[typeof(T)] = handlers = [];
        }

        handlers.Add(logged => handler((T)logged.Event, logged));
    }

    /// <summary>Records a violated invariant; the engine stops the run at the end of the step.</summary>
    public void Fail(string invariant, string message)
    {
        if (Violation is not null)
        {
            return;
        }

        Violation = new Violation(invariant, message, Now, Runtime.Step);
        Emit(Violation, invariant);
    }

    private async Task RunMainAsync(SimProcess process, IHost host)
    {
        try
        {
            await process.Main(host);
        }
        catch (OperationCanceledException) when (host.Lifetime.IsCancellationRequested)
        {
        }
        catch (Exception e)
        {
            Emit(new ProcessCrashed(e.GetType().Name, e.Message), process.Name);
            Kill(process, "crashed");
        }
    }
}
