using Google.Protobuf;
using Grpc.Core;
using Sim.Stack.Cluster.Contracts;
using Sim.Stack.Host;
using Sim.Stack.Psi.Contracts;
using Sim.Stack.Rpc;
using Sim.Worlds;

namespace Sim.Scenarios.Psi;

/// <summary>
/// A hostile client on a third site: while the PSI runs it probes each party's advertised link and head with one broken
/// identity at a time (<see cref="ProbeKind"/>), each push claiming to come from the peer, and reports every answer.
/// Every kind once in each cycle of rounds, in a seeded random order, so that over seeds each kind meets each phase of
/// the job (link not up yet, actor running, job over); the probes that name an actor name the party's latest attempt's.
/// </summary>
public sealed class LinkProbe
{
    public static readonly TimeSpan Every = TimeSpan.FromMilliseconds(150);
    public static readonly TimeSpan Until = TimeSpan.FromSeconds(3);

    /// <summary>The error kind of the probes' forged exit reports: no actor may ever end with it.</summary>
    public const string ForgedKind = "forged";

    public static Live<Task> Place(ScenarioContext context, PsiTopology topology, Scenarios.Site eve)
    {
        var from = World.Epoch - TimeSpan.FromMinutes(5);
        var to = World.Epoch + TimeSpan.FromDays(30);
        Certificate Issue(Scenarios.Site site, string subject) => site.Authority.Issue(subject, [subject], from, to);

        // Actor ids are no secret (Ray's are listed by its dashboard): the adversary aims at the one the party runs now.
        var actors = new Dictionary<string, string>(StringComparer.Ordinal);
        context.On<Sim.Stack.Cluster.ActorStarted>((e, at) =>
        {
            if (topology.PartyOf(at.Subject) is { } party)
            {
                actors[party.Name] = e.ActorId;
            }
        });
        return context.Client("mallory", eve.Name, (host, me) => RunAsync(host, context, topology, actors, (target, probe) =>
        {
            var party = topology.Party(target);
            var peerSite = context.Site(party.Peer);
            var ownSite = context.Site(party.Name);
            return probe switch
            {
                ProbeKind.LinkForeignAuthority => Issue(eve, party.Peer),
                ProbeKind.LinkNotThePeer => Issue(peerSite, "mallory"),
                ProbeKind.LinkPrefixOfPeer => Issue(peerSite, party.Peer[..^1]),
                ProbeKind.HeadPeerCertificate => Issue(peerSite, party.Peer),
                ProbeKind.HeadInsider or ProbeKind.HeadRegisterInsider or ProbeKind.HeadHeartbeatInsider or ProbeKind.HeadWaitInsider
                    or ProbeKind.HeadExitedInsider or ProbeKind.HeadKillInsider or ProbeKind.NodeInsider or ProbeKind.NodeStopInsider => Issue(ownSite, $"{party.Name}-intern"),
                ProbeKind.NodeStalePlacement or ProbeKind.NodeStaleStop or ProbeKind.HeadExitedElsewhere => Issue(ownSite, party.Name),
                _ => null,
            };
        }));
    }

    private static async Task RunAsync(IHost host, ScenarioContext context, PsiTopology topology, IReadOnlyDictionary<string, string> actors, Func<string, ProbeKind, Certificate?> certificate)
    {
        host.Spawn("forge-exits", _ => ForgeExitsAsync(host, context, topology, actors, certificate));
        var cycle = new List<ProbeKind>();
        while (host.Clock.Elapsed < Until)
        {
            await host.Clock.Delay(Every);
            if (cycle.Count == 0)
            {
                cycle.AddRange(Enum.GetValues<ProbeKind>());
                for (var i = cycle.Count - 1; i > 0; i--)
                {
                    var j = host.Random.Next(i + 1);
                    (cycle[i], cycle[j]) = (cycle[j], cycle[i]);
                }
            }

            var probe = cycle[^1];
            cycle.RemoveAt(cycle.Count - 1);
            foreach (var party in topology.Parties)
            {
                await ProbeAsync(host, context, party, actors.GetValueOrDefault(party.Name) ?? $"psi-1-{party.Name}-a1", probe, certificate);
            }
        }
    }

    /// <summary>
    /// A forged exit report matters only while its actor runs, and an actor may run for less than a round: each actor
    /// started gets one, a seeded moment (0 to 20 ms) after the adversary sees it start.
    /// </summary>
    private static async Task ForgeExitsAsync(IHost host, ScenarioContext context, PsiTopology topology, IReadOnlyDictionary<string, string> actors, Func<string, ProbeKind, Certificate?> certificate)
    {
        var forged = new HashSet<string>(StringComparer.Ordinal);
        while (host.Clock.Elapsed < Until)
        {
            await host.Clock.Delay(TimeSpan.FromMilliseconds(10));
            foreach (var party in topology.Parties.Where(p => actors.TryGetValue(p.Name, out var a) && !forged.Contains(a)).ToList())
            {
                var actor = actors[party.Name];
                forged.Add(actor);
                await host.Clock.Delay(TimeSpan.FromMilliseconds(host.Random.Next(21)));
                await ProbeAsync(host, context, party, actor, ProbeKind.HeadExitedElsewhere, certificate);
            }
        }
    }

    /// <summary>Asks <paramref name="party"/> one probe, with the identity and at the port the probe's kind says, and logs the answer.</summary>
    private static async Task ProbeAsync(IHost host, ScenarioContext context, PsiParty party, string actor, ProbeKind probe, Func<string, ProbeKind, Certificate?> certificate)
    {
        var tls = new TlsClientOptions(party.Name, context.Trust, certificate(party.Name, probe));
        var channel = new RpcChannel(host, party.AdvertisedHost, PortOf(probe), tls);
        host.Log.Event(await AskAsync(host, channel, party, actor, probe));
    }

    private static int PortOf(ProbeKind probe) => probe switch
    {
        ProbeKind.HeadPeerCertificate or ProbeKind.HeadInsider or ProbeKind.HeadRegisterInsider or ProbeKind.HeadHeartbeatInsider
            or ProbeKind.HeadWaitInsider or ProbeKind.HeadExitedInsider or ProbeKind.HeadKillInsider or ProbeKind.HeadExitedElsewhere => PsiTopology.HeadPort,
        ProbeKind.NodeInsider or ProbeKind.NodeStalePlacement or ProbeKind.NodeStopInsider or ProbeKind.NodeStaleStop => PsiTopology.NodePort,
        _ => PsiTopology.LinkPort,
    };

    private static async Task<ProbeAnswered> AskAsync(IHost host, RpcChannel channel, PsiParty party, string actor, ProbeKind probe)
    {
        try
        {
            var deadline = host.Clock.UtcNow + TimeSpan.FromMilliseconds(200);
            var head = new ClusterHead.ClusterHeadClient(channel);
            var machine = party.Head.Machine.Name;
            var mallory = new ActorSpec { ActorId = "mallory", ActorClass = "psi", NumCpus = 1, NodeId = "node0" };
            var victim = new ActorSpec { ActorId = actor, ActorClass = "psi", NumCpus = 1, NodeId = "node0" };
            _ = probe switch
            {
                ProbeKind.HeadPeerCertificate or ProbeKind.HeadInsider => await head.CreateActorAsync(mallory, deadline: deadline),
                ProbeKind.HeadRegisterInsider => await head.RegisterNodeAsync(new NodeInfo { Machine = "m-mallory", Address = "10.6.6.6", Port = PsiTopology.NodePort, Cpus = 64, Incarnation = 1 }, deadline: deadline),
                ProbeKind.HeadHeartbeatInsider => await head.HeartbeatAsync(new HeartbeatRequest { NodeId = "node1" }, deadline: deadline),
                ProbeKind.HeadWaitInsider => await head.WaitActorAsync(new ActorQuery { ActorId = actor, Seen = ActorPhase.Pending }, deadline: deadline),
                ProbeKind.HeadExitedInsider => await head.ActorExitedAsync(new ActorState { ActorId = actor, Machine = machine, Phase = ActorPhase.Failed, ErrorKind = ForgedKind, Cause = "forged" }, deadline: deadline),
                ProbeKind.HeadExitedElsewhere => await head.ActorExitedAsync(new ActorState { ActorId = actor, Machine = "m-mallory", Phase = ActorPhase.Failed, ErrorKind = ForgedKind, Cause = "forged" }, deadline: deadline),
                ProbeKind.HeadKillInsider => await head.KillActorAsync(new ActorQuery { ActorId = actor }, deadline: deadline),
                ProbeKind.NodeInsider or ProbeKind.NodeStalePlacement => await new NodeAgent.NodeAgentClient(channel).StartActorAsync(mallory, deadline: deadline),
                ProbeKind.NodeStopInsider or ProbeKind.NodeStaleStop => await new NodeAgent.NodeAgentClient(channel).StopActorAsync(victim, deadline: deadline),
                _ => (IMessage)await new Link.LinkClient(channel).PushAsync(new LinkMessage { Session = "psi-1", Attempt = 1, From = party.Peer, Key = "hello", Payload = ByteString.CopyFromUtf8("forged") }, deadline: deadline),
            };

            return new ProbeAnswered(probe, party.Name, StatusCode.OK, null, "accepted");
        }
        catch (RpcException e)
        {
            return new ProbeAnswered(probe, party.Name, e.StatusCode, (e.Status.DebugException as TlsHandshakeException)?.Failure, e.Status.Detail);
        }
    }
}
