using Sim.Scenarios.Gateway;
using Sim.Stack.Cluster;
using Sim.Stack.Defects;
using Sim.Stack.Host;
using Sim.Stack.Psi;
using Sim.Worlds;

namespace Sim.Scenarios.Psi;

/// <summary>
/// Two-party ECDH-PSI over multi-node party clusters (SecretFlow on Ray, SCENARIOS.md section 4): alice and bob are each
/// a cluster of 1 to 4 machines (drawn per run, so single-node and multi-node parties both occur): a head (the cluster's
/// control service, scheduler and health checks, plus its own node agent) and workers (node agents), each heartbeating;
/// a driver on the head machine asks the head for a PSI actor, which the scheduler places by CPU slots on any live
/// machine. The actor reads the party's input (Bogus mobile numbers, 40 to 120 per party: curve arithmetic dominates a run's time, a drawn overlap) from its node's
/// disk, binds its link server, and runs ECDH-PSI with real curve arithmetic (BouncyCastle X25519 or secp256k1, drawn),
/// batches of 32 (upstream 4096, scaled), result to alice, bob or both (drawn); the peer dials the party's advertised
/// address (the head's), which the head forwards to the actor's machine. Link knobs are upstream's divided by 20 (receive
/// timeout 6 s, 10 connect tries 50 ms apart); heartbeats every 100 ms, a node dead after 3 missed (detected before the
/// peer's connect retries run out, so a machine's death reaches the peer as a FedRemoteError, not a connection error). Incidents: the actor's
/// machine killed mid-stream, the head restarted, a broken input file (a duplicate, no items, a malformed line); faults:
/// kills and restarts of heads and workers, partitions between the sites and inside a party, clogs, TLS session expiry;
/// a hostile client probes both parties' links and heads.
/// Invariants, by class:
/// <list type="bullet">
/// <item>Accounting: every attempt that fails is explained — by a fault that struck the run since the attempt began, by
/// the input the run broke (with the exact error the model reads in the file: the line and what is wrong with it), by
/// a planted protocol mismatch (with every difference named), or by the peer's own failure; a bind failure never is
/// (<see cref="PsiAccounting"/>); a valid input, in any spelling (CRLF, no final newline), is read whole; every job ends
/// (completed, or failed with a reason) by the horizon (liveness).</item>
/// <item>Eligibility: a party with a broken input fails with bad-input before any traffic (no link bound, no batch
/// sent), and no point crosses before the parties agree on the protocol; only the configured receivers get a result
/// (<see cref="ResultChecker"/>); the scheduler places an actor only on a node that is alive by its own heartbeats with
/// enough free CPU slots, a retry away from the machines earlier attempts failed on while another has the slots
/// (<see cref="PlacementModel"/>).</item>
/// <item>Uniqueness: a job ends once; an actor id is placed once at a time and ends once; attempts of a party run one at
/// a time with growing numbers, never more than allowed; a node id is registered once and declared dead once
/// (<see cref="PlacementModel"/>, <see cref="JobModel"/>).</item>
/// <item>Security probes, both directions (<see cref="ProbeChecker"/>): at each party's link, a certificate naming the
/// peer from a foreign authority, the peer's authority naming someone else or a prefix of the peer's name, no client
/// certificate; at each head, the peer's certificate and an insider of the own authority who is not the party, on every
/// head method; at the node agent, the insider and a stale placement under the party's own identity — each refused as
/// the rule says, with the detail naming the rule, while the honest peer's pushes are served (the PSI completes).
/// Privacy: no raw item ever crosses the virtual wire: every frame's bytes are scanned for every item
/// (<see cref="PrivacyChecker"/>).</item>
/// <item>Resources: at the horizon no PSI link is bound, no proxy is open, no actor runs, and each cluster process
/// listens only on its own control ports (<see cref="PsiResources"/>); an agent that lost its head runs no actor from
/// then on (<see cref="PsiResources"/>); a proxy closes before its actor ends (<see cref="ProxyModel"/>); no process
/// makes more than 30 cluster control calls a second to one address (<see cref="ClusterTiming"/>).</item>
/// <item>Model-based: each result equals the true intersection of the two generated sets (safety,
/// <see cref="ResultChecker"/>); the head's node table (liveness, CPU slots) equals a reference scheduler's after every
/// step, a killed agent's node is declared dead in time, node-died strikes only the dead node's actors and names why the
/// node was declared dead, a lost head is explained by a restart or a silence of at least the node timeout
/// (<see cref="PlacementModel"/>); an actor fails unschedulable one placement timeout after the head took it in (not
/// sooner; not a tick later when nothing interfered), and the driver hears of its actor's end within a loopback round
/// trip (<see cref="ClusterTiming"/>); proxies follow
/// placements (<see cref="ProxyModel"/>); each job follows the retry policy and each remote error carries exactly the
/// failing attempt's party, machine, kind, cause and finality (<see cref="JobModel"/>); a failure reaches the peer as a
/// FedRemoteError within the link's retry window, never as a bare timeout (<see cref="PropagationChecker"/>).</item>
/// </list>
/// </summary>
/// <param name="aliceNodes">Pins alice's cluster size (machines, head included); drawn 1-4 when null.</param>
/// <param name="bobNodes">Pins bob's cluster size.</param>
/// <param name="incident">Pins the scripted incident; drawn when null.</param>
/// <param name="horizon">The run's horizon (14 s by default: every job ends within one receive timeout and its retries after the quiet point).</param>
/// <param name="maxAttempts">Pins the jobs' attempts (drawn 1-2 when null).</param>
/// <param name="mismatch">Bob runs another protocol version, curve, result receiver and batch size than alice: both must fail the handshake, naming every difference.</param>
/// <param name="aliceInput">Breaks alice's input this way (instead of the drawn incident's breakage).</param>
/// <param name="bobInput">Breaks bob's input this way.</param>
/// <param name="aliceCpus">The CPU slots alice's PSI actor asks for (num_cpus): more than a machine has (<see cref="CpusPerNode"/>) and no
/// placement can succeed, so alice's head must fail the actor as unschedulable within its placement timeout and bob must hear of it.</param>
public sealed class PsiMultinodeScenario(
    int? aliceNodes = null,
    int? bobNodes = null,
    int minItems = 40,
    int maxItems = 120,
    PsiIncident? incident = null,
    TimeSpan? horizon = null,
    int? maxAttempts = null,
    bool mismatch = false,
    BadInput? aliceInput = null,
    BadInput? bobInput = null,
    int aliceCpus = 1) : Scenario
{
    /// <summary>Upstream's link times divided by this (receive timeout 120 s -> 6 s; 10 connect tries 1 s apart -> 50 ms apart).</summary>
    public const double Scale = 20;

    public const int BatchSize = 32;

    public const int CpusPerNode = 2;

    public const int MissedHeartbeats = 3;

    public static readonly TimeSpan HeartbeatInterval = TimeSpan.FromMilliseconds(100);

    /// <summary>The deadline of one cluster control call.</summary>
    public static readonly TimeSpan CallTimeout = TimeSpan.FromMilliseconds(250);

    /// <summary>How long a head looks for a node with the slots an actor asks before it fails the actor as unschedulable.</summary>
    public static readonly TimeSpan PlacementTimeout = TimeSpan.FromSeconds(1);

    public static readonly LinkOptions Link = LinkOptions.Upstream.Scaled(Scale);

    public override string Name => "psi-multinode";

    public override string Description => "two-party ECDH-PSI (SecretFlow style) between party clusters of 1-4 machines: placement on workers, link proxies, machine deaths, remote errors";

    public override IReadOnlyList<string> Claims => [DefectCatalogue.AdvertisedHeadAddress, DefectCatalogue.SilentActorFailure];

    /// <summary>The scenario's own fault profile: rates high enough to strike the few seconds a PSI runs.</summary>
    public static FaultProfile Profile { get; } = new()
    {
        Name = "psi-chaos",
        Network = new NetworkOptions { DropProbability = 0.002, ReorderProbability = 0.01 },
        Faults =
        [
            new KillFault { PerMinute = 4, RestartAfter = DurationRange.Seconds(0.3, 1) },
            new PartitionFault { PerMinute = 4, Lasting = DurationRange.Seconds(0.2, 1) },
            new ClogFault { PerMinute = 4, Lasting = DurationRange.Seconds(0.05, 0.3) },
            new TlsExpiryFault { PerMinute = 4 },
        ],
    };

    public static ClusterOptions ClusterOf(string party, string headAddress, TlsServerOptions serverTls, TlsClientOptions dialTls) =>
        new(party, headAddress, PsiTopology.HeadPort, serverTls, dialTls)
        {
            NodePort = PsiTopology.NodePort,
            HeartbeatInterval = HeartbeatInterval,
            MissedHeartbeats = MissedHeartbeats,
            CallTimeout = CallTimeout,
            PlacementTimeout = PlacementTimeout,
        };

    public override void Build(ScenarioContext context)
    {
        context.Horizon = horizon ?? TimeSpan.FromSeconds(14);
        context.QuietAt = TimeSpan.FromSeconds(4);
        context.Faults(Profile);
        var workload = new PsiWorkload(context.Workload, aliceNodes, bobNodes, minItems, maxItems, incident, maxAttempts);
        var topology = new PsiTopology();
        var protocol = PsiProtocol.Default with { Curve = workload.Curve, Receivers = workload.Receivers, BatchSize = BatchSize };
        var eve = context.Site("eve");
        foreach (var party in topology.Parties)
        {
            Place(context, topology, party, party.Name == "alice" ? workload.AliceNodes : workload.BobNodes, party.Name == "alice" ? workload.AliceItems : workload.BobItems);
        }

        foreach (var party in topology.Parties)
        {
            var pinned = party.Name == "alice" ? aliceInput : bobInput;
            party.Breakage = pinned ?? (workload.Incident == PsiIncident.BadInput && workload.Victim == party.Name ? workload.Breakage : BadInput.None);
            party.Spelling = party.Name == "alice" ? workload.AliceSpelling : workload.BobSpelling;
            party.Protocol = mismatch && party.Name == "bob" ? Mismatched(protocol) : protocol;
            party.ActorCpus = party.Name == "alice" ? aliceCpus : 1;
            SeedInput(party);
            PlaceDriver(context, topology, party, party.Protocol, workload.MaxAttempts);
        }

        _ = LinkProbe.Place(context, topology, eve);
        PsiIncidents.Script(context, topology, workload);

        // One record of the faults applied, read by every checker that excuses a failure a fault explains.
        var faults = new FaultHistory(context);
        _ = new PrivacyChecker(context, topology);
        _ = new ResultChecker(context, topology, protocol);
        _ = new PlacementModel(context, topology);
        _ = new ClusterTiming(context, topology, faults);
        _ = new PsiAccounting(context, topology, faults);
        _ = new JobModel(context, topology, workload.MaxAttempts, HeartbeatInterval * MissedHeartbeats);
        _ = new PropagationChecker(context, topology, faults, Link.RetryWindow);
        _ = new ProbeChecker(context, topology);
        _ = new PsiResources(context, topology);
        _ = new ProxyModel(context, topology);
        _ = new PsiAccount(context, topology, workload);
    }

    /// <summary>The party's site, certificate, head and workers; the workers' node agents and the head's share its certificate.</summary>
    private static void Place(ScenarioContext context, PsiTopology topology, PsiParty party, int size, IReadOnlyList<string> items)
    {
        var site = context.Site(party.Name);
        var peerSite = context.Site(party.Peer);
        party.Items = items;
        party.Certificate = context.Certificate(party.Name, site.Authority, [party.Name], TimeSpan.FromDays(30));
        var slot = party.Certificate;
        var clusterTls = new TlsServerOptions(() => slot.Current, PsiTopology.TrustOf(site));
        var linkTls = new TlsServerOptions(() => slot.Current, PsiTopology.TrustOf(site, peerSite));
        var classes = new Dictionary<string, ActorMain>(StringComparer.Ordinal)
        {
            [PsiActor.ClassName] = PsiActor.Main(Link, linkTls, peer => new TlsClientOptions(peer, context.Trust, slot.Current), context.Defects),
        };
        var forwarded = new Dictionary<int, ForwardedPort> { [PsiTopology.LinkPort] = new(PsiActor.LinkMethods, linkTls) };
        party.Head = context.Service($"{party.Name}-head", party.Name, PsiTopology.HeadPort, (host, me) =>
        {
            var cluster = ClusterOf(party.Name, me.Address, clusterTls, new TlsClientOptions(party.Name, context.Trust, slot.Current));
            return new PartyHead(ClusterHeadServer.Start(host, cluster, forwarded), NodeAgent.Start(host, cluster, me.Address, CpusPerNode, classes));
        });
        for (var i = 1; i < size; i++)
        {
            party.Workers.Add(context.Service($"{party.Name}-w{i}", party.Name, PsiTopology.NodePort, (host, me) =>
                NodeAgent.Start(host, ClusterOf(party.Name, party.Head.Address, clusterTls, new TlsClientOptions(party.Name, context.Trust, slot.Current)), me.Address, CpusPerNode, classes)));
        }
    }

    /// <summary>The driver on the head machine: the party's SecretFlow program, one PSI job.</summary>
    private static void PlaceDriver(ScenarioContext context, PsiTopology topology, PsiParty party, PsiProtocol protocol, int attempts)
    {
        var slot = party.Certificate;
        var peer = topology.Party(party.Peer);
        party.Driver = context.Client($"{party.Name}-driver", party.Name, (host, me) =>
        {
            var cluster = ClusterOf(party.Name, party.Head.Address, new TlsServerOptions(() => slot.Current), new TlsClientOptions(party.Name, context.Trust, slot.Current));
            // Submitted once the workers have joined (they register within a few tens of milliseconds), as a user runs
            // the program on a cluster that is up: the scheduler then has every machine to choose from.
            var options = new PsiJobOptions("psi-1", party.Name, party.Peer, party.AdvertisedHost, peer.AdvertisedHost, PsiTopology.LinkPort, cluster, PsiTopology.InputPath, protocol, Link, attempts, context.Defects)
            {
                SubmitAfter = TimeSpan.FromMilliseconds(200),
                NumCpus = party.ActorCpus,
            };
            return PsiJob.Start(host, options, new TlsClientOptions(party.Peer, context.Trust, slot.Current));
        }, new ServiceOptions { On = party.Head.Machine, DnsName = $"driver.{party.Name}" });
    }

    /// <summary>Bob's side of a planted mismatch: every option the handshake compares differs from alice's.</summary>
    public static PsiProtocol Mismatched(PsiProtocol alice) => new(
        "ecdh-psi/1",
        alice.Curve == X25519Curve.CurveName ? Secp256k1Curve.CurveName : X25519Curve.CurveName,
        alice.Receivers == PsiProtocol.Both ? "alice" : PsiProtocol.Both,
        alice.BatchSize / 2);

    /// <summary>The party's input file on every node's disk (a shared file system, as SecretFlow expects the path on whichever node runs the actor).</summary>
    private static void SeedInput(PsiParty party)
    {
        var (text, error) = InputFiles.Of(party.Items, party.Breakage, party.Spelling, PsiTopology.InputPath);
        party.InputError = error;
        foreach (var node in party.Nodes.Where(_ => text is not null))
        {
            GatewayRoutingScenario.Seed(node, PsiTopology.InputPath, text!);
        }
    }
}
