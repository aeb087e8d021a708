using Sim.Stack.Defects;
using Sim.Stack.Host;
using Sim.Worlds;

namespace Sim.Scenarios;

/// <summary>
/// The builder a scenario uses: topology (sites, machines, processes, certificates, names), the fault
/// plan (a profile and/or a timeline), invariants (safety as the run goes, liveness at the horizon),
/// the horizon, and the seeded workload stream.
/// </summary>
public sealed class ScenarioContext
{
    private readonly List<(TimeSpan, FaultAction)> timeline = [];
    private readonly List<Invariant> safety = [];
    private readonly List<Invariant> liveness = [];
    private readonly List<SimProcess> autostart = [];
    private readonly List<Func<IEnumerable<string>>> accounts = [];

    public ScenarioContext(World world, DefectSet defects, FaultProfile? profileOverride)
    {
        World = world;
        Defects = defects;
        ProfileOverride = profileOverride;
        Workload = world.StreamFor("workload");
    }

    public World World { get; }

    /// <summary>The defects on for this run: hand them to the stack, never branch on them in the scenario.</summary>
    public DefectSet Defects { get; }

    /// <summary>The workload's stream (seed Bogus from it).</summary>
    public Rng Workload { get; }

    /// <summary>Set by the command line (or the campaign) to replace the scenario's own profile.</summary>
    public FaultProfile? ProfileOverride { get; }

    public FaultProfile Profile { get; private set; } = FaultProfile.None;

    /// <summary>Virtual time at which the run ends and liveness is judged.</summary>
    public TimeSpan Horizon { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>Virtual time at which faults stop and everything heals (defaults to 3/4 of the horizon).</summary>
    public TimeSpan? QuietAt { get; set; }

    /// <summary>Upper bound on scheduling steps; reaching it is reported, never silent.</summary>
    public long MaxSteps { get; set; } = 20_000_000;

    public IReadOnlyList<Invariant> Safety => safety;

    public IReadOnlyList<Invariant> Liveness => liveness;

    public IReadOnlyList<(TimeSpan At, FaultAction Action)> Timeline => timeline;

    public IReadOnlyList<SimProcess> Autostart => autostart;

    public TimeSpan EffectiveQuietAt => QuietAt ?? TimeSpan.FromTicks(Horizon.Ticks * 3 / 4);

    public Machine Machine(string name, string site, params string[] addresses) => World.AddMachine(name, site, addresses);

    /// <summary>Places a process; it starts at time zero unless <paramref name="start"/> is false.</summary>
    public SimProcess Process(string name, Machine machine, Func<IHost, Task> main, bool killable = true, bool start = true)
    {
        var process = World.AddProcess(name, machine, main, killable);
        if (start)
        {
            autostart.Add(process);
        }

        return process;
    }

    public void Name(string name, string address) => World.Network.AddName(name, address);

    public CertificateAuthority Authority(string name) => new(name, World.StreamFor($"ca/{name}"));

    /// <summary>A rotatable server certificate named <paramref name="name"/>; rotate it with <see cref="FaultAction.RotateCertificate"/>.</summary>
    public CertificateSlot Certificate(string name, CertificateAuthority authority, IReadOnlyList<string> dnsNames, TimeSpan validity)
    {
        var slot = new CertificateSlot(World, name, authority, dnsNames, validity);
        World.Certificates[name] = slot;
        return slot;
    }

    /// <summary>Sets the scenario's default fault profile (the CLI or campaign may override it).</summary>
    public void Faults(FaultProfile profile) => Profile = ProfileOverride ?? profile;

    public void At(TimeSpan at, FaultAction action) => timeline.Add((at, action));

    /// <summary>
    /// Registers a file on <paramref name="process"/>'s disk that the config-rewrite fault may rewrite while the run
    /// goes (a route table, a config the process reloads): <paramref name="rewrite"/> makes the new content from the
    /// current one (null if absent) and a random stream; null deletes the file. The quiet point puts it back.
    /// </summary>
    public void ConfigFile(string process, string key, string description, Func<IRandomSource, byte[]?, byte[]?> rewrite) =>
        World.ConfigFiles.Register(new ConfigFile(process, key, description, rewrite));

    /// <summary>A safety invariant, checked after every scheduling step.</summary>
    public void Always(string name, Func<string?> check) => safety.Add(new Invariant(name, check));

    /// <summary>A liveness invariant, checked at the horizon, after faults stopped at the quiet point.</summary>
    public void Eventually(string name, Func<string?> check) => liveness.Add(new Invariant(name, check));

    /// <summary>Adds lines to the run's readable account (what happened to whom), printed by `sim run`.</summary>
    public void Account(Func<IEnumerable<string>> lines) => accounts.Add(lines);

    /// <summary>The run's readable account, as the scenario tells it.</summary>
    public IReadOnlyList<string> AccountLines() => [.. accounts.SelectMany(a => a())];

    /// <summary>
    /// Calls <paramref name="handler"/> for every event of type <typeparamref name="T"/> the stack or the world
    /// reports from now on (an event-driven checker, a model, an account), with its time, step and subject.
    /// </summary>
    public void On<T>(Action<T, LoggedEvent> handler)
        where T : SimEvent => World.On(handler);

    /// <summary>Reports a violation found by an event-driven checker.</summary>
    public void Fail(string invariant, string message) => World.Fail(invariant, message);
}
