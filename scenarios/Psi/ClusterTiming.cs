using Sim.Stack.Cluster;
using Sim.Stack.Psi;
using Sim.Stack.Rpc;
using Sim.Worlds;

namespace Sim.Scenarios.Psi;

/// <summary>
/// The head's clocks, against a reference of its loops. Placement timeout: an actor fails unschedulable no sooner than
/// the placement timeout after the head took it in, and, when no node was ever tried for it and no fault touched the head
/// in the run, within the health-check tick that passes the timeout (the head retries placement once a tick). End notice:
/// the driver waits on the head for its actor's next phase, and the head answers at once when the actor ends, so the
/// driver hears of the end (its attempt failed, or its job completed) within <see cref="NoticeBound"/> — a loopback
/// round trip and its scheduling, far below the call timeout a head that forgot to answer would take — unless a fault
/// touched the head or the driver in the run (a slowed, paused or restarted process, expired sessions: some last seconds).
/// Pacing: no process finishes more than <see cref="CallsPerSecond"/> cluster control calls toward one address in a second.
/// </summary>
public sealed class ClusterTiming
{
    public const string Invariant = "cluster-keeps-its-times";

    /// <summary>The most control calls one process may finish toward one cluster address within a second.</summary>
    /// <remarks>
    /// Every control loop waits a health-check tick between tries, or for the head's answer (a wait returns at once only
    /// when the actor's phase moved on): a process's few loops toward one target (heartbeat, registration or report, the
    /// driver's wait) make about ten calls a second, eleven at most over 60 seeds of four profiles. A loop that forgot its
    /// tick calls once a round trip: hundreds a second.
    /// </remarks>
    public const int CallsPerSecond = 30;

    /// <summary>How long the driver on the head machine may take to hear that its actor ended.</summary>
    public static readonly TimeSpan NoticeBound = TimeSpan.FromMilliseconds(20);

    private readonly Dictionary<(string Party, string ActorId), (TimeSpan At, bool Tried)> created = [];
    private readonly Dictionary<(string Party, string ActorId), TimeSpan> ended = [];
    private readonly Dictionary<(string Party, int Attempt), string> actors = [];

    public ClusterTiming(ScenarioContext context, PsiTopology topology, FaultHistory faults)
    {
        var placementTimeout = PsiMultinodeScenario.PlacementTimeout;
        var tick = PsiMultinodeScenario.HeartbeatInterval;
        context.On<ProcessStarted>((_, at) =>
        {
            if (topology.Parties.FirstOrDefault(p => p.Head.Name == at.Subject) is { } party)
            {
                // A restarted head knows no actor: a CreateActor for an old id creates it anew.
                foreach (var key in created.Keys.Where(k => k.Party == party.Name).ToList())
                {
                    created.Remove(key);
                }
            }
        });
        context.On<ActorCreated>((e, at) => created[(e.Party, e.ActorId)] = (at.Time, false));
        context.On<ActorPlaced>((e, _) =>
        {
            if (created.TryGetValue((e.Party, e.ActorId), out var c))
            {
                created[(e.Party, e.ActorId)] = c with { Tried = true };
            }
        });
        context.On<ActorEnded>((e, at) =>
        {
            ended[(e.Party, e.ActorId)] = at.Time;
            if (e.ErrorKind != "unschedulable")
            {
                return;
            }

            var head = topology.Party(e.Party).Head;
            var wrong = !created.TryGetValue((e.Party, e.ActorId), out var c) ? "the head never took the actor in"
                : at.Time - c.At < placementTimeout ? $"only {(at.Time - c.At).TotalMilliseconds:F0} ms after the head took it in; the placement timeout is {placementTimeout.TotalMilliseconds:F0} ms"
                : !c.Tried && at.Time - c.At >= placementTimeout + tick && !faults.Between(TimeSpan.Zero, at.Time, f => FaultHistory.Touches(f, [head.Name], [])).Any()
                    ? $"{(at.Time - c.At).TotalMilliseconds:F0} ms after the head took it in, a health-check tick ({tick.TotalMilliseconds:F0} ms) past the placement timeout ({placementTimeout.TotalMilliseconds:F0} ms)"
                : null;
            if (wrong is not null)
            {
                context.Fail(Invariant, $"{e.Details}; {wrong}");
            }
        });

        var calls = new Dictionary<(string Process, string Target), TrailingWindow>();
        context.On<RpcCompleted>((e, at) =>
        {
            if (!e.Method.StartsWith("/sim.cluster.", StringComparison.Ordinal))
            {
                return;
            }

            var recent = calls.TryGetValue((at.Subject, e.Target), out var w) ? w : calls[(at.Subject, e.Target)] = new TrailingWindow(TimeSpan.FromSeconds(1));
            if (recent.Add(at.Time) is var count && count > CallsPerSecond)
            {
                context.Fail(Invariant, $"{at.Subject} finished {count} cluster calls to {e.Target} within a second (the last {e.Method}, {e.Status}); its control loops pace them at most {CallsPerSecond} a second");
            }
        });

        context.On<PsiAttemptStarted>((e, _) => actors[(e.Party, e.Attempt)] = e.ActorId);
        context.On<PsiAttemptFailed>((e, at) => Notice(e.Party, e.Attempt, at.Time, e.Details));
        context.On<PsiJobEnded>((e, at) =>
        {
            if (e.Completed)
            {
                Notice(e.Party, e.Attempts, at.Time, e.Details);
            }
        });

        void Notice(string partyName, int attempt, TimeSpan now, string details)
        {
            if (!actors.TryGetValue((partyName, attempt), out var actorId) || !ended.TryGetValue((partyName, actorId), out var end))
            {
                return;
            }

            var party = topology.Party(partyName);
            if (now - end > NoticeBound && !faults.Between(TimeSpan.Zero, now, f => FaultHistory.Touches(f, [party.Head.Name, party.Driver.Name], [])).Any())
            {
                context.Fail(Invariant, $"{details}; {actorId} ended at the head {(now - end).TotalMilliseconds:F0} ms before (the bound is {NoticeBound.TotalMilliseconds:F0} ms)");
            }
        }
    }
}
