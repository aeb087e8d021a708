using Google.Protobuf;
using Grpc.Core;
using Sim.Stack.Cluster;
using Sim.Stack.Cluster.Contracts;
using Sim.Stack.Defects;
using Sim.Stack.Host;
using Sim.Stack.Psi.Contracts;
using Sim.Stack.Rpc;

namespace Sim.Stack.Psi;

/// <summary>
/// A party's PSI job (the SecretFlow driver program on the head machine): it asks its cluster's head for a PSI actor,
/// waits for it to end, and on a failure of its own tells the peer (RayFed's FedRemoteError: party, machine, cause),
/// then retries on another machine while attempts remain and a retry can help. With the defect
/// <c>silent-actor-failure</c> the peer is never told.
/// </summary>
public sealed class PsiJob
{
    /// <summary>The error kind of an attempt the driver gave up on because the head did not answer or forgot the actor.</summary>
    public const string HeadLost = "head-lost";

    private readonly IHost host;
    private readonly PsiJobOptions options;
    private readonly ClusterHead.ClusterHeadClient head;
    private readonly LinkClient peer;

    private PsiJob(IHost host, PsiJobOptions options, TlsClientOptions peerTls)
    {
        this.host = host;
        this.options = options;
        var cluster = options.Cluster;
        head = new ClusterHead.ClusterHeadClient(new RpcChannel(host, cluster.HeadAddress, cluster.HeadPort, cluster.DialTls));
        peer = new LinkClient(host, options.Party, options.Peer, options.PeerHost, options.LinkPort, options.Link, peerTls);
    }

    /// <summary>The job's end: null while it runs.</summary>
    public PsiJobEnded? Outcome { get; private set; }

    /// <summary>The process entry point.</summary>
    public static PsiJob Start(IHost host, PsiJobOptions options, TlsClientOptions peerTls)
    {
        var job = new PsiJob(host, options, peerTls);
        host.Spawn("psi-job", job.RunAsync);
        return job;
    }

    private async Task RunAsync(CancellationToken lifetime)
    {
        await host.Clock.Delay(options.SubmitAfter, lifetime);
        var avoid = new List<string>();
        for (var attempt = 1; ; attempt++)
        {
            var actorId = $"{options.Session}-{options.Party}-a{attempt}";
            host.Log.Event(new PsiAttemptStarted(options.Party, attempt, actorId));
            var state = await RunAttemptAsync(actorId, Task(attempt), avoid, lifetime);
            if (state.Phase == ActorPhase.Finished)
            {
                End(new PsiJobEnded(options.Party, true, attempt, "", ""));
                return;
            }

            host.Log.Event(new PsiAttemptFailed(options.Party, attempt, state.Machine, state.ErrorKind, state.Cause));
            var final = PsiErrors.IsFinal(state.ErrorKind) || attempt >= options.MaxAttempts;
            if (!PsiErrors.IsPeerCaused(state.ErrorKind) && !options.Defects.IsOn(DefectCatalogue.SilentActorFailure))
            {
                await NotifyPeerAsync(attempt, state, final, lifetime);
            }

            if (state.ErrorKind == HeadLost)
            {
                // Given up without the head's word: the actor may exist, or its create may still wait at a paused head.
                // Left alive it would hold the party's link port against the next attempt. The peer hears first.
                await KillAsync(attempt, actorId, lifetime);
            }

            if (final)
            {
                End(new PsiJobEnded(options.Party, false, attempt, state.ErrorKind, state.Cause));
                return;
            }

            if (state.Machine.Length > 0)
            {
                avoid.Add(state.Machine);
            }
        }
    }

    private void End(PsiJobEnded outcome)
    {
        Outcome = outcome;
        host.Log.Event(outcome);
    }

    private PsiTask Task(int attempt) => new()
    {
        Session = options.Session,
        Attempt = attempt,
        Party = options.Party,
        Peer = options.Peer,
        PeerHost = options.PeerHost,
        PeerPort = options.LinkPort,
        AdvertisedHost = options.AdvertisedHost,
        LinkPort = options.LinkPort,
        Version = options.Protocol.Version,
        Curve = options.Protocol.Curve,
        Receivers = options.Protocol.Receivers,
        BatchSize = options.Protocol.BatchSize,
        InputPath = options.InputPath,
    };

    /// <summary>Creates the attempt's actor and waits for it to end; a head that is lost (unreachable, or restarted and forgot the actor) fails the attempt.</summary>
    private async Task<ActorState> RunAttemptAsync(string actorId, PsiTask task, IReadOnlyList<string> avoid, CancellationToken lifetime)
    {
        var spec = new ActorSpec { ActorId = actorId, ActorClass = PsiActor.ClassName, NumCpus = options.NumCpus, Args = Google.Protobuf.ByteString.CopyFrom(task.ToByteArray()) };
        spec.ExposedPorts.Add(options.LinkPort);
        spec.AvoidMachines.AddRange(avoid);
        var cluster = options.Cluster;
        var seen = ActorPhase.Pending;
        var machine = "";
        var created = false;
        var lastAnswer = host.Clock.Elapsed;
        while (true)
        {
            try
            {
                var state = created
                    ? await head.WaitActorAsync(new ActorQuery { ActorId = actorId, Seen = seen }, deadline: host.Clock.UtcNow + (cluster.CallTimeout * 2), cancellationToken: lifetime)
                    : await head.CreateActorAsync(spec, deadline: host.Clock.UtcNow + cluster.CallTimeout, cancellationToken: lifetime);
                (created, lastAnswer, seen) = (true, host.Clock.Elapsed, state.Phase);
                machine = state.Machine.Length > 0 ? state.Machine : machine;
                if (state.Phase is ActorPhase.Finished or ActorPhase.Failed)
                {
                    return state;
                }
            }
            catch (RpcException e) when (e.StatusCode == StatusCode.NotFound)
            {
                return Lost(actorId, machine, $"the head of {options.Party} restarted and no longer knows actor {actorId}");
            }
            catch (RpcException e) when (host.Clock.Elapsed - lastAnswer >= cluster.NodeTimeout)
            {
                return Lost(actorId, machine, $"the head of {options.Party} did not answer for {(host.Clock.Elapsed - lastAnswer).TotalMilliseconds:F0} ms ({e.StatusCode})");
            }
            catch (RpcException)
            {
                await host.Clock.Delay(cluster.HeartbeatInterval, lifetime);
            }
        }
    }

    private static ActorState Lost(string actorId, string machine, string cause) =>
        new() { ActorId = actorId, Phase = ActorPhase.Failed, Machine = machine, ErrorKind = HeadLost, Cause = cause };

    /// <summary>Kills the attempt's actor through the head (idempotent), each health-check tick until the head confirms or stays silent for the node timeout.</summary>
    private async Task KillAsync(int attempt, string actorId, CancellationToken lifetime)
    {
        var cluster = options.Cluster;
        var since = host.Clock.Elapsed;
        while (true)
        {
            try
            {
                await head.KillActorAsync(new ActorQuery { ActorId = actorId }, deadline: host.Clock.UtcNow + (cluster.CallTimeout * 2), cancellationToken: lifetime);
                host.Log.Event(new PsiActorKilled(options.Party, attempt, actorId, true, ""));
                return;
            }
            catch (RpcException e) when (host.Clock.Elapsed - since >= cluster.NodeTimeout)
            {
                // A head silent this long is down or restarting: its nodes stop their actors when they lose it.
                host.Log.Event(new PsiActorKilled(options.Party, attempt, actorId, false, $"the head did not answer for {(host.Clock.Elapsed - since).TotalMilliseconds:F0} ms ({e.StatusCode})"));
                return;
            }
            catch (RpcException)
            {
                await host.Clock.Delay(cluster.HeartbeatInterval, lifetime);
            }
        }
    }

    /// <summary>Tells the peer's actor of this attempt that this side failed (FedRemoteError), with the link's retries.</summary>
    private async Task NotifyPeerAsync(int attempt, ActorState state, bool final, CancellationToken lifetime)
    {
        var error = new RemoteError { Party = options.Party, Machine = state.Machine.Length > 0 ? state.Machine : host.Machine, Cause = state.Cause, Kind = state.ErrorKind, Final = final };
        try
        {
            await peer.PushAsync(options.Session, attempt, LinkEndpoint.ErrorKey, error, lifetime);
            host.Log.Event(new RemoteErrorSent(options.Party, options.Peer, attempt, true, $"{error.Kind}: {error.Cause}"));
        }
        catch (ActorFailure e)
        {
            host.Log.Event(new RemoteErrorSent(options.Party, options.Peer, attempt, false, e.Message));
        }
    }
}
