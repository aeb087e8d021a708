using Bogus;
using Sim.Stack.Defects;
using Sim.Stack.Host;
using Sim.Stack.Scheduler;
using Sim.Worlds;

namespace Sim.Scenarios.SchedulerFailover;

/// <summary>
/// Replicated schedulers with leader leases and failover (Kuscia style, SCENARIOS.md section 5): one party with a
/// store (the API server's role: CAS, watches, fencing by lease epoch, durable on its disk), three scheduler replicas
/// electing a leader by a lease in the store as client-go does (15/10/2 s scaled to 1.5/1/0.2 s), three to five
/// worker machines heartbeating and running tasks, two users submitting Bogus job DAGs (chains, fans, layers; strict
/// or best effort; maxParallelism 1–4; some tasks failing, some asking more CPUs than any machine has) through a
/// client that follows the leader, and an intruder. Faults: scripted — the leader killed mid-job, the leader paused
/// across its lease's expiry (the GC-pause case), the leader cut off from the store, the store restarted and its disk
/// stalled, a busy worker paused up to a little past its unhealthy mark, replica clocks skewed by seconds — and drawn kills, pauses,
/// partitions, skews and disk stalls until the quiet point.
/// Invariants, by class:
/// <list type="bullet">
/// <item>Accounting: a job ends once and its outcome matches its tasks; every task ending without success says why;
/// what a user saw is what the store holds (<see cref="JobChecker"/>); every task's result is committed exactly once
/// (<see cref="TaskChecker"/>); a submit's accepted answer names the replica that gave it and its tries are the calls
/// the client made (<see cref="ClientChecker"/>).</item>
/// <item>Eligibility: a task is placed only after its dependencies succeeded, on a worker marked healthy at that
/// moment, within the worker's CPUs and the job's maxParallelism, on the healthy worker with the most free CPUs; the
/// committed result is the one the worker of that attempt reported; a task fails as unschedulable only after its
/// lifecycle bound (<see cref="TaskChecker"/>). A replica leads, steps down and answers submits only for terms the store
/// granted it, for reasons true of the store, and a new term starts from a list of the store, judging heartbeats and
/// waiting tasks on its own clock (<see cref="TermChecker"/>); a client retries after its backoff and follows a
/// replica's redirect to the lease's holder (<see cref="ClientChecker"/>).</item>
/// <item>Uniqueness: one leader per epoch, one replica's writes accepted per epoch, no write of a deposed leader
/// accepted after a newer lease was granted (<see cref="FencingChecker"/>, judged at the store); one commit per task,
/// attempts numbered one by one (<see cref="TaskChecker"/>).</item>
/// <item>Security probes, both edges (<see cref="ProbeChecker"/>, <see cref="FencingChecker"/>): the intruder reads
/// the lease (allowed) and writes as the lease holder (a forged holder id), at the lease's epoch, one below and one
/// above, grabs the lease, writes other workers' heartbeats and reports and unknown keys (all refused); submits a
/// valid job (accepted) and invalid ones (refused as invalid); deposed leaders' stale-epoch writes are refused and the
/// holder's current-epoch writes never are. Every refusal of the store carries the status and reason its rules give on
/// the store model's state, no write the rules take is refused (<see cref="StoreRules"/>), and in the oracle suite's
/// "rogue" variant a replica the store trusts writes at the edges of the lease and fencing rules
/// (<see cref="RogueReplica"/>).</item>
/// <item>Resources: at the horizon every process holds at most one connection to each server it talks to, the store
/// serves no more calls than its watchers and the calls in flight justify and feeds no more watches than replicas and
/// workers are up, and no process holds stray loops or timers (<see cref="ResourceChecker"/>); a leader lists the whole
/// store no more often than its resync period unless a call failed, its view was stale or a term began
/// (<see cref="TermChecker"/>).</item>
/// <item>Model-based: every write of a task, a worker's health or a job's end is a step of the lifecycle the scheduler
/// documents, with the reason that step gives (<see cref="LifecycleChecker"/>); a reference model of the store (compare-and-swap against the model's versions, revisions that
/// only grow, no acknowledged write lost across restarts; <see cref="StoreModel"/>) and of the lease (epochs grow by
/// one per term; <see cref="FencingChecker"/>), which every other checker reads; the store's write rules re-judged on
/// that model (<see cref="StoreRules"/>).</item>
/// <item>Liveness (at the horizon, faults quiet since the quiet point): every job in the store has ended and every
/// user saw its accepted jobs end; a task no machine can take failed with "no healthy machine with N free CPUs" within
/// its lifecycle bound plus one failover (<see cref="JobChecker"/>); the party serves again once the faults stop: a
/// canary job submitted after the quiet point is accepted and succeeds, and the intruder's last round gets an answer
/// to every probe (<see cref="RecoveryChecker"/>).</item>
/// </list>
/// </summary>
/// <param name="horizon">The run's length (40 virtual seconds unless given).</param>
/// <param name="rogue">Also place a <see cref="RogueReplica"/>, which the store trusts and which writes at the edges of its lease and fencing rules (an oracle-suite variant).</param>
public sealed class SchedulerFailoverScenario(TimeSpan? horizon = null, bool rogue = false) : Scenario
{
    public override string Name => "scheduler-failover";

    public override string Description => "three scheduler replicas with a leader lease over a fenced store, workers and Bogus job DAGs (Kuscia style): leader kills, pauses across lease expiry, partitions, store restarts";

    public override IReadOnlyList<string> Claims => [DefectCatalogue.LeaseWithoutFencing, DefectCatalogue.RescheduleDoubleCommit];

    /// <summary>The scenario's own fault profile: drawn faults on top of the scripted incidents.</summary>
    public static FaultProfile Profile { get; } = new()
    {
        Name = "scheduler-chaos",
        Network = new NetworkOptions { DropProbability = 0.002 },
        Faults =
        [
            new KillFault { PerMinute = 2, RestartAfter = DurationRange.Seconds(0.5, 3) },
            new PauseFault { PerMinute = 2, Lasting = DurationRange.Seconds(0.1, 2.5) },
            new PartitionFault { PerMinute = 2, Lasting = DurationRange.Seconds(0.3, 2.5) },
            new ClockSkewFault { PerMinute = 2, MaxSkew = TimeSpan.FromSeconds(3) },
            new DiskStallFault { PerMinute = 2, Lasting = DurationRange.Seconds(0.1, 1) },
        ],
    };

    public override void Build(ScenarioContext context)
    {
        context.Horizon = horizon ?? TimeSpan.FromSeconds(40);
        context.QuietAt = context.Horizon * 0.65;
        context.Faults(Profile);
        var options = new SchedulerOptions(context.Defects);
        var topology = new SchedulerTopology { Rogue = rogue };
        Place(context, topology, options);

        Check(context, topology, options);
        Incidents.Script(context, topology, options);
    }

    /// <summary>Every checker of the scenario, on <paramref name="topology"/>, and the account.</summary>
    public static void Check(ScenarioContext context, SchedulerTopology topology, SchedulerOptions options)
    {
        var store = new StoreModel(context);
        var fencing = new FencingChecker(context, store, options);
        _ = new StoreRules(context, store, topology);
        var faults = new FaultHistory(context);
        _ = new TermChecker(context, store, fencing, options, faults);
        _ = new ClientChecker(context, topology, SchedulerClient.DefaultBackoff);
        JobChecker? jobs = null;
        var tasks = new TaskChecker(context, store, options.LifecycleBound, key => jobs!.ReadyAt(key));
        jobs = new JobChecker(context, store, options.LifecycleBound, options.LeaseDuration + options.RenewDeadline + TimeSpan.FromSeconds(1));
        var probes = new ProbeChecker(context);
        _ = new LifecycleChecker(context, store, options, faults);
        _ = new ResourceChecker(context, topology);
        _ = new SchedulerAccount(context, topology, fencing, jobs, tasks, probes);
    }

    /// <summary>The party's store, three replicas and <paramref name="workers"/> workers (CPUs drawn from 4 to <see cref="SchedulerTopology.MaxCpus"/>).</summary>
    public static void PlaceParty(ScenarioContext context, SchedulerTopology topology, SchedulerOptions options, int workers)
    {
        var site = SchedulerTopology.Site;
        var replicaNames = Enumerable.Range(0, SchedulerTopology.ReplicaCount).Select(i => $"replica{i}").ToHashSet(StringComparer.Ordinal);
        topology.StoreReplicas = topology.Rogue ? replicaNames.Append(RogueReplica.Name).ToHashSet(StringComparer.Ordinal) : replicaNames;
        var workerNames = Enumerable.Range(0, workers).Select(i => $"worker{i}").ToHashSet(StringComparer.Ordinal);
        topology.StoreWorkers = workerNames;
        topology.Store = context.Service("store", site, SchedulerTopology.Port, (host, me) =>
            SchedulerStore.Start(host, new StoreOptions(me.Address, SchedulerTopology.Port, me.ServerTls, topology.StoreReplicas, topology.StoreWorkers, context.Defects)), Tls("store"));
        foreach (var name in replicaNames.Order(StringComparer.Ordinal))
        {
            topology.Replicas.Add(context.Service(name, site, SchedulerTopology.Port, (host, me) =>
                SchedulerReplica.Start(host, me.Address, me.ServerTls, options, SchedulerTopology.Endpoints(me)), Tls(name)));
        }

        foreach (var name in workerNames.Order(StringComparer.Ordinal))
        {
            var cpus = 4 + context.Workload.Next(SchedulerTopology.MaxCpus - 3);
            topology.Cpus[name] = cpus;
            topology.Workers.Add(context.Service(name, site, 0, (host, me) => WorkerAgent.Start(host, options, SchedulerTopology.Endpoints(me), cpus), Tls(name)));
        }
    }

    /// <summary>A user of the party submitting Bogus jobs (drawn from its own seed off the workload stream) until <paramref name="until"/>.</summary>
    public static void PlaceUser(ScenarioContext context, SchedulerTopology topology, string name, TimeSpan until, JobSizes? sizes = null)
    {
        var faker = new Faker { Random = new Randomizer((int)context.Workload.NextUInt64()) };
        topology.Users.Add(PlaceClient(context, name, (host, me) =>
            JobSubmitter.Start(host, new SchedulerClient(host, SchedulerTopology.Endpoints(me), topology.ReplicaNames), faker, until, sizes)));
    }

    /// <summary>A client process of the party (mTLS, its name its DNS name).</summary>
    public static Live<T> PlaceClient<T>(ScenarioContext context, string name, Func<IHost, Live, T> start)
        where T : class => context.Client(name, SchedulerTopology.Site, start, Tls(name));

    private static void Place(ScenarioContext context, SchedulerTopology topology, SchedulerOptions options)
    {
        PlaceParty(context, topology, options, 3 + context.Workload.Next(3));
        var until = context.EffectiveQuietAt - TimeSpan.FromSeconds(2);
        for (var i = 0; i < 2; i++)
        {
            PlaceUser(context, topology, $"user{i}", until);
        }

        var rounds = new[] { 0.15, 0.4, 0.75 }.Select(f => context.Horizon * f).ToList();
        PlaceClient(context, Intruder.Name, (host, me) => Intruder.Start(host, me, topology.ReplicaNames, rounds));
        if (topology.Rogue)
        {
            PlaceClient(context, RogueReplica.Name, (host, me) => RogueReplica.Start(host, me, [.. new[] { 0.1, 0.3, 0.5, 0.8 }.Select(f => context.Horizon * f)]));
        }

        topology.Canary = PlaceClient(context, "canary", (host, me) =>
            JobSubmitter.StartOne(host, new SchedulerClient(host, SchedulerTopology.Endpoints(me), topology.ReplicaNames), RecoveryChecker.Canary(), context.EffectiveQuietAt + RecoveryChecker.CanaryAfter));
        _ = new RecoveryChecker(context, topology, rounds[^1]);
    }

    private static ServiceOptions Tls(string name) => new() { MutualTls = true, DnsName = name };
}
