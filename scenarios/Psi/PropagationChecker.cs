using Sim.Stack.Psi;
using Sim.Worlds;

namespace Sim.Scenarios.Psi;

/// <summary>
/// Model-based liveness of failure propagation: when a party's attempt fails on its own side (its machine died, its bind
/// or input failed, its head was lost), the peer's actor of the same attempt receives a FedRemoteError from that party
/// within <c>bound</c> (the link's retry window), naming the party, its machine and the cause — never a bare receive
/// timeout, an unreachable link or a later attempt instead. Judged when the peer's attempt ends with one of those, and
/// when the bound passes; a peer whose attempt failed on its own side meanwhile (its machine, its head) owes nothing, and a peer
/// that ended with one of those sooner than a notice usually crosses a link (six trips at the usual latency: both sides
/// failing at once) missed nothing.
/// Excused: a fault in the window that touched the peer's processes or machines or the failing party's head machine
/// (the notice's path), a frame dropped or delayed on that path — the failing head to the peer's nodes, and the peer head's
/// forwarding proxy to its nodes — (the notice arrives a retransmit later), a peer whose attempt had ended or not yet started, a peer whose link was not up while the
/// failing party's driver tried for its whole retry window.
/// </summary>
public sealed class PropagationChecker
{
    public const string Invariant = "failure-reaches-peer-as-remote-error";

    private readonly List<Owed> owed = [];
    private readonly Dictionary<(string Party, int Attempt), TimeSpan> bound = [];
    private readonly HashSet<(string Party, int Attempt)> ended = [];
    private readonly HashSet<(string Party, int Attempt)> undelivered = [];
    private readonly HashSet<string> jobsEnded = new(StringComparer.Ordinal);
    private readonly List<(TimeSpan At, string Link)> delayed = [];

    public PropagationChecker(ScenarioContext context, PsiTopology topology, FaultHistory faults, TimeSpan retryWindow)
    {
        var limit = retryWindow + TimeSpan.FromSeconds(0.5);

        // What a notice takes without a fault: a new connection, its TLS handshake and the push, six one-way trips at the
        // network's usual latency (base and mean; the worst case, 50 ms a trip, would also excuse a peer that waited
        // out its own retries while the notice never came, which is what the check is for).
        var transit = (context.World.Network.Options.Latency.Base + context.World.Network.Options.Latency.Mean) * 6;
        context.On<LinkBound>((e, at) => bound.TryAdd((e.Party, e.Attempt), at.Time));
        context.On<FrameDropped>((e, at) => delayed.Add((at.Time, e.Link)));
        context.On<FrameReordered>((e, at) => delayed.Add((at.Time, e.Link)));
        context.On<PsiAttemptSucceeded>((e, _) => EndOf(e.Party, e.Attempt));
        context.On<PsiJobEnded>((e, _) => jobsEnded.Add(e.Party));
        context.On<RemoteErrorSent>((e, _) =>
        {
            if (!e.Delivered)
            {
                undelivered.Add((e.Party, e.Attempt));
            }
        });
        context.On<RemoteErrorReceived>((e, _) => owed.RemoveAll(o => o.From == e.From && o.Attempt == e.Attempt));
        context.On<PsiAttemptFailed>((e, at) =>
        {
            var party = topology.Party(e.Party);
            if (owed.FirstOrDefault(o => o.To == e.Party && o.Attempt == e.Attempt) is { } debt && e.ErrorKind is PsiErrors.Timeout or PsiErrors.Unreachable or PsiErrors.PeerMovedOn or PsiErrors.Protocol)
            {
                // A link the failing party never bound could not be reached: that unreachable is its failure, not a lost notice.
                // A peer that gave up on its own before a notice could have crossed (both sides failing at once, from one cause) missed nothing.
                if (!(e.ErrorKind == PsiErrors.Unreachable && !bound.ContainsKey((debt.From, debt.Attempt))) && at.Time - debt.At >= transit)
                {
                    Judge(context, topology, faults, debt, at.Time, $"{e.Party}'s attempt {e.Attempt} ended at {at.Time.TotalSeconds:F3}s with {e.ErrorKind} ({e.Cause})");
                }
            }

            EndOf(e.Party, e.Attempt);
            if (!PsiErrors.IsPeerCaused(e.ErrorKind) && !ended.Contains((party.Peer, e.Attempt)) && !jobsEnded.Contains(party.Peer))
            {
                owed.Add(new Owed(e.Party, party.Peer, e.Attempt, at.Time, at.Time + limit, e.Details));
            }
        });
        context.Always(Invariant, () =>
        {
            foreach (var debt in owed.Where(o => context.World.Now > o.Due).ToList())
            {
                Judge(context, topology, faults, debt, context.World.Now, $"{debt.To}'s attempt {debt.Attempt} was still waiting at {context.World.Now.TotalSeconds:F3}s");
            }

            return null;
        });
    }

    private void EndOf(string party, int attempt)
    {
        ended.Add((party, attempt));
        owed.RemoveAll(o => o.To == party && o.Attempt == attempt);
    }

    private void Judge(ScenarioContext context, PsiTopology topology, FaultHistory faults, Owed debt, TimeSpan now, string what)
    {
        owed.Remove(debt);
        var peer = topology.Party(debt.To);
        var failing = topology.Party(debt.From);
        var processes = peer.Nodes.Select(n => n.Name).Append(peer.Driver.Name).Append(failing.Driver.Name).ToHashSet(StringComparer.Ordinal);
        var machines = peer.Nodes.Select(n => n.Machine.Name).Append(failing.Head.Machine.Name).ToHashSet(StringComparer.Ordinal);
        // The notice's path: the failing party's head to the peer's advertised head, and the peer head's forwarding
        // proxy to the node that runs the peer's actor.
        var path = peer.Nodes.SelectMany(n => new[] { (failing.Head.Machine.Name, n.Machine.Name), (peer.Head.Machine.Name, n.Machine.Name) })
            .SelectMany(p => (string[])[$"{p.Item1}->{p.Item2}", $"{p.Item2}->{p.Item1}"]).ToHashSet(StringComparer.Ordinal);
        var excused = faults.Striking(debt.At - TimeSpan.FromSeconds(0.5), now, f => FaultHistory.Touches(f, processes, machines)).Any()
            || delayed.Any(d => d.At >= debt.At && d.At <= now && path.Contains(d.Link))
            || jobsEnded.Contains(debt.To)
            || (undelivered.Contains((debt.From, debt.Attempt)) && (!bound.TryGetValue((debt.To, debt.Attempt), out var up) || up > debt.At));
        if (!excused)
        {
            context.Fail(Invariant, $"{what}, but {debt.Failure} at {debt.At.TotalSeconds:F3}s: no FedRemoteError from {debt.From} reached {debt.To} within {(debt.Due - debt.At).TotalSeconds:F1}s");
        }
    }

    private sealed record Owed(string From, string To, int Attempt, TimeSpan At, TimeSpan Due, string Failure);
}
