using Sim.Stack.Psi;

namespace Sim.Scenarios.Psi;

/// <summary>
/// Accounting: every attempt that fails is explained — a remote or peer-moved-on failure by the peer's own failed
/// attempt, bad input by the input this run broke, anything else by a fault since the attempt began or by the peer's
/// failed attempt (a link that times out on a dead peer) or a frame the network dropped meanwhile; a bind failure
/// (the address is not the machine's) and a protocol mismatch (both sides run one configuration here) never are.
/// Eligibility: a party whose input is broken fails with bad-input before any traffic. Liveness: every job ends.
/// </summary>
public sealed class PsiAccounting
{
    public const string Explained = "every-psi-failure-is-explained";
    public const string BeforeTraffic = "bad-input-fails-before-traffic";
    public const string JobsEnd = "every-psi-job-ends";
    public const string InputRead = "valid-input-read-whole";

    /// <summary>A fault this long before an attempt began may still explain its failure (the health check's delay).</summary>
    public static readonly TimeSpan Slack = TimeSpan.FromSeconds(1);

    private readonly Dictionary<(string Party, int Attempt), TimeSpan> started = [];
    private readonly HashSet<(string Party, int Attempt)> failed = [];
    private readonly List<(TimeSpan At, string Link)> drops = [];

    public PsiAccounting(ScenarioContext context, PsiTopology topology, FaultHistory faults)
    {
        context.On<PsiAttemptStarted>((e, at) => started[(e.Party, e.Attempt)] = at.Time);
        // A dropped frame waits a retransmit timeout: heartbeats and calls behind it may miss their deadlines. It delays,
        // never corrupts (the transport retransmits), so it explains a failure of timing only, and only on a link of the
        // two parties' own machines.
        context.On<Sim.Worlds.FrameDropped>((e, at) => drops.Add((at.Time, e.Link)));
        context.On<PsiAttemptFailed>((e, at) =>
        {
            failed.Add((e.Party, e.Attempt));
            var party = topology.Party(e.Party);
            var since = started.GetValueOrDefault((e.Party, e.Attempt)) - Slack;
            var why = e.ErrorKind switch
            {
                PsiErrors.BadInput => party.InputError is not { } expected ? "its input file is intact"
                    : e.Cause == expected ? null : $"its input is broken ({party.Breakage}): the error must be '{expected}'",
                PsiErrors.Bind => "no fault takes a machine's address away: the actor bound an address its machine does not own",
                PsiErrors.Mismatch => party.Protocol == topology.Party(party.Peer).Protocol ? "both parties run the same protocol configuration"
                    : e.Cause == MismatchCause(party, topology.Party(party.Peer)) ? null : $"the error must name every difference: '{MismatchCause(party, topology.Party(party.Peer))}'",
                _ when party.Protocol != topology.Party(party.Peer).Protocol && !PsiErrors.IsPeerCaused(e.ErrorKind) => "the parties' protocols differ: the handshake must fail before anything else can",
                _ when PsiErrors.IsPeerCaused(e.ErrorKind) => failed.Contains((party.Peer, e.Attempt)) ? null : $"{party.Peer}'s attempt {e.Attempt} had not failed",
                // A configuration no machine can host: the party's actor asks for more CPU slots than any of its machines has,
                // so it can only fail unschedulable, and its peer, whose link never comes up, can only time out or find it unreachable.
                "unschedulable" when party.Unplaceable => null,
                PsiErrors.Unreachable or PsiErrors.Timeout when topology.Party(party.Peer).Unplaceable => null,
                // A peer that failed first explains a link that timed out or became unreachable; whether it said so is
                // the propagation checker's to judge.
                _ when failed.Contains((party.Peer, e.Attempt)) => null,
                _ => faults.Striking(since, at.Time).Any() || (e.ErrorKind != PsiErrors.Protocol && DropBetween(topology, party, since, at.Time))
                    ? null
                    : $"no fault struck the run since {Math.Max(0, since.TotalSeconds):F3}s, nor was one still in effect then{(e.ErrorKind == PsiErrors.Protocol ? " (a dropped frame is retransmitted, never garbled)" : " and no frame of the parties' machines was dropped")}, and {party.Peer}'s attempt {e.Attempt} had not failed",
            };
            if (why is not null)
            {
                context.Fail(Explained, $"{e.Details}; unexplained: {why}");
            }
        });
        context.On<PsiInputRead>((e, _) =>
        {
            var party = topology.Party(e.Party);
            if (party.InputError is null && e.Items != party.Items.Count)
            {
                context.Fail(InputRead, $"{e.Details}; its input file ({party.Spelling}) holds {party.Items.Count}");
            }
        });
        context.On<PsiHandshake>((e, _) =>
        {
            var party = topology.Party(e.Party);
            if (party.Protocol != topology.Party(party.Peer).Protocol)
            {
                context.Fail(Explained, $"{e.Details}; yet {party.Peer} runs {topology.Party(party.Peer).Protocol}: the handshake must fail");
            }
        });
        context.On<LinkBound>((e, _) => NoTraffic(context, topology, e.Party, "bound its link"));
        context.On<PsiBatchSent>((e, _) =>
        {
            NoTraffic(context, topology, e.Party, $"sent {e.Key}");
            if (topology.Party(e.Party).Protocol != topology.Party(topology.Party(e.Party).Peer).Protocol)
            {
                context.Fail(BeforeTraffic, $"{e.Details}; yet the parties' protocols differ: no point may cross before they agree");
            }
        });
        context.Eventually(JobsEnd, () => topology.Parties
            .Where(p => p.Driver.Last is { Outcome: null })
            .Select(p => $"{p.Name}'s PSI job had not ended by the horizon ({context.Horizon.TotalSeconds}s)")
            .FirstOrDefault());
    }

    /// <summary>What <paramref name="party"/>'s actor must say when the handshake finds the protocols differ: every difference, in the handshake's order.</summary>
    public static string MismatchCause(PsiParty party, PsiParty peer)
    {
        var (ours, theirs) = (party.Protocol, peer.Protocol);
        var differences = new (string What, string Ours, string Theirs)[]
        {
            ("protocol version", ours.Version, theirs.Version),
            ("curve", ours.Curve, theirs.Curve),
            ("result receiver", ours.Receivers, theirs.Receivers),
            ("batch size", ours.BatchSize.ToString(System.Globalization.CultureInfo.InvariantCulture), theirs.BatchSize.ToString(System.Globalization.CultureInfo.InvariantCulture)),
        }.Where(d => d.Ours != d.Theirs).Select(d => $"{d.What}: {party.Name} uses {d.Ours}, {peer.Name} uses {d.Theirs}");
        return $"PSI handshake with {peer.Name} failed: {string.Join("; ", differences)}";
    }

    private bool DropBetween(PsiTopology topology, PsiParty party, TimeSpan from, TimeSpan to)
    {
        var machines = party.Nodes.Concat(topology.Party(party.Peer).Nodes).Append(party.Driver).Append(topology.Party(party.Peer).Driver)
            .Select(n => n.Machine.Name).ToHashSet(StringComparer.Ordinal);
        return drops.Any(d => d.At >= from && d.At <= to && d.Link.Split("->") is [var a, var b] && (machines.Contains(a) || machines.Contains(b)));
    }

    private static void NoTraffic(ScenarioContext context, PsiTopology topology, string party, string what)
    {
        if (topology.Party(party).Breakage is not BadInput.None and var breakage)
        {
            context.Fail(BeforeTraffic, $"{party}'s input is broken ({breakage}), yet its actor {what}");
        }
    }
}
