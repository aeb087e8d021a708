using Sim.Stack.Defects;
using Sim.Stack.Host;
using Sim.Worlds;

namespace Sim.Scenarios;

/// <summary>
/// The builder a scenario uses: topology (services and clients in one call each, or sites, machines,
/// processes, certificates and names by hand), the fault plan (a profile, a timeline, scripted incidents),
/// invariants (safety as the run goes, event-driven checkers, liveness at the horizon), the horizon, and the
/// seeded workload stream.
/// </summary>
public sealed class ScenarioContext
{
    private readonly List<(TimeSpan, FaultAction)> timeline = [];
    private readonly List<Invariant> safety = [];
    private readonly List<Invariant> liveness = [];
    private readonly List<SimProcess> autostart = [];
    private readonly List<Func<IEnumerable<string>>> accounts = [];
    private readonly Dictionary<string, Site> sites = new(StringComparer.Ordinal);
    private readonly Dictionary<string, byte[]> authorities = new(StringComparer.Ordinal);
    private readonly List<(string Name, Func<Script, Task> Body)> scripts = [];
    private readonly Waits waits;

    public ScenarioContext(World world, DefectSet defects, FaultProfile? profileOverride)
    {
        World = world;
        Defects = defects;
        ProfileOverride = profileOverride;
        Workload = world.StreamFor("workload");
        Trust = new TrustStore(authorities);
        waits = new Waits(world);
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

    /// <summary>Every site's certificate authority: what services and clients made by the kit trust.</summary>
    public TrustStore Trust { get; }

    public Machine Machine(string name, string site, params string[] addresses) => World.AddMachine(name, site, addresses);

    /// <summary>The site named <paramref name="name"/>, made on first use with its own authority and address block.</summary>
    public Site Site(string name)
    {
        if (!sites.TryGetValue(name, out var site))
        {
            var authority = Authority($"{name}-ca");
            authorities[authority.Name] = authority.PublicKey;
            sites[name] = site = new Site(World, name, sites.Count + 1, authority);
        }

        return site;
    }

    /// <summary>
    /// A service in one call: a machine on <paramref name="site"/> with the site's next address, the DNS name
    /// <c>name.site</c>, a certificate for that name from the site's authority (rotatable, in a slot named
    /// <paramref name="name"/>), and a process that calls <paramref name="start"/> at every start. The returned
    /// handle's <see cref="Live{T}.Current"/> is what the running incarnation's start returned.
    /// </summary>
    /// <param name="port">The port the service listens on (the handle carries it; the start function binds it).</param>
    public Live<T> Service<T>(string name, string site, int port, Func<IHost, Live, T> start, ServiceOptions? options = null)
        where T : class => Place(name, 0, Site(site), port, start, options ?? new ServiceOptions(), killable: true);

    /// <summary>Replicas <c>name0</c>, <c>name1</c>, … spread round-robin over <paramref name="sites"/>, each made as <see cref="Service{T}"/> makes one.</summary>
    public IReadOnlyList<Live<T>> Services<T>(string name, IReadOnlyList<string> sites, int count, int port, Func<IHost, Live, T> start, ServiceOptions? options = null)
        where T : class => [.. Enumerable.Range(0, count).Select(i => Place($"{name}{i}", i, Site(sites[i % sites.Count]), port, start, options ?? new ServiceOptions(), killable: true))];

    /// <summary>A client in one call, made as a service is (address, name, certificate for mTLS) but serving nothing; the fault injector spares it unless told.</summary>
    public Live<T> Client<T>(string name, string site, Func<IHost, Live, T> start, ServiceOptions? options = null)
        where T : class => Place(name, 0, Site(site), 0, start, options ?? new ServiceOptions(), killable: false);

    /// <summary>Clients <c>name0</c>, <c>name1</c>, … spread round-robin over <paramref name="sites"/>.</summary>
    public IReadOnlyList<Live<T>> Clients<T>(string name, IReadOnlyList<string> sites, int count, Func<IHost, Live, T> start, ServiceOptions? options = null)
        where T : class => [.. Enumerable.Range(0, count).Select(i => Place($"{name}{i}", i, Site(sites[i % sites.Count]), 0, start, options ?? new ServiceOptions(), killable: false))];

    private Live<T> Place<T>(string name, int index, Site site, int port, Func<IHost, Live, T> start, ServiceOptions options, bool killable)
        where T : class
    {
        var machine = options.On ?? Machine($"m-{name}", site.Name, site.NextAddress());
        var dnsName = options.DnsName ?? $"{name}.{site.Name}";
        Name(dnsName, machine.Addresses[0]);
        var slot = Certificate(name, site.Authority, [dnsName], options.CertificateValidity);
        var serverTls = new TlsServerOptions(() => slot.Current, options.MutualTls ? Trust : null, options.SessionLifetime);
        Live<T>? live = null;
        var process = Process(name, machine, host =>
        {
            var instance = start(host, live!);
            live!.Started(host.Incarnation, instance);
            return instance as Task ?? Task.CompletedTask;
        }, options.Killable ?? killable, options.Start);
        live = new Live<T>(name, index, site, process, dnsName, port, slot, Trust, serverTls);
        return live;
    }

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
    /// A scripted incident: world code that starts at time zero, waits on time, conditions or typed events
    /// (<see cref="Script.Until{T}(Func{T, bool}?)"/>) and applies faults, each logged as scripted. For faults
    /// at fixed times, <see cref="At"/> is shorter.
    /// </summary>
    public void Script(Func<Script, Task> body, string name = "script") => scripts.Add((name, body));

    /// <summary>Starts the scripts as world code (the harness calls it once the processes are started).</summary>
    internal void StartScripts()
    {
        foreach (var (name, body) in scripts)
        {
            var script = new Script(this, waits, name);
            World.WorldContext.Run(() => _ = RunScriptAsync(script, body));
        }
    }

    /// <summary>Completes the scripts' waits on conditions that hold now (the harness calls it after every step).</summary>
    internal void PollWaits() => waits.Poll();

    private async Task RunScriptAsync(Script script, Func<Script, Task> body)
    {
        try
        {
            await body(script);
        }
        catch (Exception e)
        {
            World.Fail($"script-{script.Name}", $"the scenario's script '{script.Name}' threw {e.GetType().Name}: {e.Message}");
        }
    }

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
