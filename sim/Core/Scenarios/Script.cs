using Sim.Stack.Host;
using Sim.Worlds;

namespace Sim.Scenarios;

/// <summary>
/// What a scripted incident (<see cref="ScenarioContext.Script"/>) sees: it waits on time, on a condition or on
/// a typed event, then applies faults — the same <see cref="FaultAction"/> records timelines and the injector use,
/// each logged as applied with origin <see cref="FaultOrigin.Scripted"/>. It runs as world code under both engines, so it is as deterministic as the rest
/// of the run. Faults it asks for after the quiet point are logged as <see cref="FaultSkipped"/>, never applied.
/// </summary>
public sealed class Script
{
    private readonly ScenarioContext context;
    private readonly Waits waits;

    internal Script(ScenarioContext context, Waits waits, string name)
    {
        this.context = context;
        this.waits = waits;
        Name = name;
    }

    public string Name { get; }

    public World World => context.World;

    /// <summary>Virtual time now.</summary>
    public TimeSpan Now => World.Now;

    /// <summary>Waits <paramref name="delay"/> of virtual time.</summary>
    public Task Delay(TimeSpan delay) => World.Sleep(delay, default, World.WorldContext);

    /// <summary>Waits until virtual time <paramref name="time"/> (at once if it has passed).</summary>
    public Task At(TimeSpan time) => Delay(time - Now);

    /// <summary>Waits until <paramref name="condition"/> holds; it is checked after every scheduling step.</summary>
    public Task Until(Func<bool> condition) => waits.Until(condition, null);

    /// <summary>Waits until <paramref name="condition"/> holds (true) or <paramref name="within"/> has passed (false).</summary>
    public Task<bool> Until(Func<bool> condition, TimeSpan within) => waits.Until(condition, within);

    /// <summary>Waits for the next event of type <typeparamref name="T"/> (or derived) that matches, and returns it.</summary>
    public async Task<T> Until<T>(Func<T, bool>? match = null)
        where T : SimEvent => (await waits.Until<T>((e, _) => match?.Invoke(e) ?? true, null))!;

    /// <summary>Waits for the next event of type <typeparamref name="T"/> that matches, given who it happened to and when.</summary>
    public async Task<T> Until<T>(Func<T, LoggedEvent, bool> match)
        where T : SimEvent => (await waits.Until(match, null))!;

    /// <summary>Waits for the next matching event of type <typeparamref name="T"/>; null if <paramref name="within"/> passes first.</summary>
    public Task<T?> Until<T>(Func<T, bool>? match, TimeSpan within)
        where T : SimEvent => waits.Until<T>((e, _) => match?.Invoke(e) ?? true, within);

    /// <summary>Applies <paramref name="action"/> now as a scripted fault; after the quiet point it is logged as skipped instead.</summary>
    public void Do(FaultAction action)
    {
        if (Now >= context.EffectiveQuietAt)
        {
            World.Emit(new FaultSkipped(action with { Origin = FaultOrigin.Scripted }), Name);
            return;
        }

        World.Inject(action with { Origin = FaultOrigin.Scripted });
    }

    public void Kill(string process) => Do(new FaultAction.Kill(process));

    public void Kill(Live process) => Kill(process.Name);

    public void Start(string process) => Do(new FaultAction.Start(process));

    public void Start(Live process) => Start(process.Name);

    public void Restart(string process) => Do(new FaultAction.Restart(process));

    public void Restart(Live process) => Restart(process.Name);

    /// <summary>Graceful stop: the process's lifetime token fires; it is killed after <paramref name="grace"/>.</summary>
    public void Stop(string process, TimeSpan grace) => Do(new FaultAction.Stop(process, grace));

    public void Stop(Live process, TimeSpan grace) => Stop(process.Name, grace);

    public void Pause(string process) => Do(new FaultAction.Pause(process));

    public void Resume(string process) => Do(new FaultAction.Resume(process));

    /// <summary>Cuts every link between the machines of <paramref name="from"/> and those of <paramref name="to"/> (both ways unless one-way).</summary>
    public void Partition(IReadOnlyList<string> from, IReadOnlyList<string> to, bool oneWay = false) => Do(new FaultAction.Partition(from, to, oneWay));

    /// <summary>Cuts the link between two services' machines (both ways unless one-way).</summary>
    public void Partition(Live from, Live to, bool oneWay = false) => Partition([from.Machine.Name], [to.Machine.Name], oneWay);

    /// <summary>Heals every partition and clog.</summary>
    public void Heal() => Do(new FaultAction.HealNetwork());

    public void Clog(string fromMachine, string toMachine, TimeSpan duration) => Do(new FaultAction.Clog(fromMachine, toMachine, duration));

    public void ExpireTls(string process) => Do(new FaultAction.ExpireTls(process));

    public void Skew(string machine, TimeSpan by) => Do(new FaultAction.Skew(machine, by));

    public void Skew(Live process, TimeSpan by) => Skew(process.Machine.Name, by);

    /// <summary>Issues a fresh certificate into a slot (a service's slot is named after the service).</summary>
    public void RotateCertificate(string slot) => Do(new FaultAction.RotateCertificate(slot));

    public void RotateCertificate(Live service) => RotateCertificate(service.Certificate.Name);
}
