using Sim.Stack.Buggify;
using Sim.Stack.Fleet;
using Sim.Stack.Rpc;
using Sim.Worlds;

namespace Sim.Scenarios.Fleet;

/// <summary>
/// Resources a node spends of the coordinator, from its own calls (<see cref="RpcCompleted"/>). Pings are paced as
/// upstream: the next one starts (interval − call timeout) × (0.8 ± 0.1) after the last one ended, never sooner, and
/// the pauses are jittered (pauses BUGGIFY did not shorten are not all the same), so nodes do not ping in lockstep; a
/// ping gives up at its call timeout, so a silent coordinator does not hold the ping loop past the node's promise.
/// Pulls start a pull interval apart at least. A refused or failed CreateNode is retried after an exponential backoff,
/// never in a storm: the n-th retry in a row waits 200 ms × 2^(n−1) at least, up to 5 s. A pause the node's own process was held in (paused, slowed, or
/// its work held back by the Coyote clock) is not judged.
/// </summary>
public sealed class PacingChecker
{
    public const string PingsPaced = "pings-paced-and-jittered";
    public const string PingGivesUpAtTimeout = "ping-gives-up-at-its-call-timeout";
    public const string PullsPaced = "pulls-a-pull-interval-apart";
    public const string RegistrationBacksOff = "registration-retries-back-off";

    /// <summary>The node's first backoff after a failed CreateNode (it doubles up to <see cref="MaxBackoff"/>).</summary>
    public static readonly TimeSpan FirstBackoff = TimeSpan.FromMilliseconds(200);

    public static readonly TimeSpan MaxBackoff = TimeSpan.FromSeconds(5);

    /// <summary>Rounding of virtual time (a pause is a TimeSpan times a drawn factor).</summary>
    private static readonly TimeSpan Tick = TimeSpan.FromMilliseconds(1);

    /// <summary>How long past its deadline a ping's end may be reported (the cancellation runs after the timer).</summary>
    private static readonly TimeSpan DeadlineSlack = TimeSpan.FromMilliseconds(100);

    private readonly ScenarioContext context;
    private readonly EarlyFires earlyFires;
    private readonly Dictionary<string, NodePace> nodes = new(StringComparer.Ordinal);
    private readonly Dictionary<string, List<(TimeSpan From, TimeSpan To)>> held = new(StringComparer.Ordinal);
    private readonly TimeSpan minPingPause;
    private readonly TimeSpan callTimeout;
    private readonly TimeSpan pullInterval;

    public PacingChecker(ScenarioContext context, FleetTopology fleet, TimeSpan callTimeout, EarlyFires earlyFires)
    {
        this.context = context;
        this.earlyFires = earlyFires;
        this.callTimeout = callTimeout;
        pullInterval = fleet.PullInterval;
        minPingPause = (fleet.PingInterval - callTimeout) * 0.7;
        var target = $"{fleet.Coordinator.DnsName}:{fleet.Coordinator.Port}";
        context.On<ProcessStarted>((_, at) => nodes[at.Subject] = new NodePace());
        context.On<ProcessPaused>((_, at) => Held(at.Subject, at.Time, TimeSpan.MaxValue));
        context.On<ProcessResumed>((_, at) => EndHeld(at.Subject, at.Time));
        context.On<FaultAction.SlowDown>((e, at) => Held(e.Process, at.Time, at.Time + e.For));
        context.On<BuggifyFired>((e, at) =>
        {
            if (e.Site == BuggifyCatalogue.PingFiresEarly && nodes.TryGetValue(at.Subject, out var pace))
            {
                pace.Buggified = true;
            }
        });
        context.On<NodeForgotten>((_, at) => Of(at.Subject).LastPingEnd = null);
        context.On<RpcCompleted>((e, at) =>
        {
            if (e.Target != target || fleet.Node(at.Subject) is null)
            {
                return;
            }

            var method = e.Method[(e.Method.LastIndexOf('/') + 1)..];
            switch (method)
            {
                case "Ping":
                    Ping(e, at);
                    break;
                case "PullTaskIns":
                    Pull(e, at);
                    break;
                case "CreateNode":
                    Register(e, at);
                    break;
            }
        });
    }

    private NodePace Of(string process) => nodes.TryGetValue(process, out var pace) ? pace : nodes[process] = new NodePace();

    private void Held(string process, TimeSpan from, TimeSpan to) => (held.TryGetValue(process, out var spans) ? spans : held[process] = []).Add((from, to));

    private void EndHeld(string process, TimeSpan at)
    {
        if (held.TryGetValue(process, out var spans) && spans.FindLastIndex(s => s.To == TimeSpan.MaxValue) is var i and >= 0)
        {
            spans[i] = (spans[i].From, at);
        }
    }

    /// <summary>Whether the process's own work was held back over [from, to]: paused, slowed, or behind the Coyote clock.</summary>
    private bool WasHeld(string process, TimeSpan from, TimeSpan to) =>
        (held.TryGetValue(process, out var spans) && spans.Any(s => s.From <= to && s.To >= from)) || earlyFires.HeldBack(from, to, process);

    private void Ping(RpcCompleted e, LoggedEvent at)
    {
        var pace = Of(at.Subject);
        if (at.Time - e.Started > callTimeout + DeadlineSlack && !WasHeld(at.Subject, e.Started, at.Time))
        {
            context.Fail(PingGivesUpAtTimeout, $"{at.Subject}'s ping started at {e.Started.TotalSeconds:F3}s ended ({e.Status}) only at {at.Time.TotalSeconds:F3}s, past its call timeout of {callTimeout.TotalSeconds}s");
        }

        if (pace.LastPingEnd is { } last)
        {
            var pause = e.Started - last;
            if (pause < minPingPause - Tick && !WasHeld(at.Subject, last, e.Started))
            {
                context.Fail(PingsPaced, $"{at.Subject} pinged at {e.Started.TotalSeconds:F3}s, {pause.TotalMilliseconds:F1} ms after its last ping ended: sooner than (interval − call timeout) × 0.7 = {minPingPause.TotalMilliseconds} ms");
            }

            if (!pace.Buggified)
            {
                pace.Pauses.Add(pause);
                if (pace.Pauses.Count >= 3 && pace.Pauses.Max() - pace.Pauses.Min() < Tick)
                {
                    context.Fail(PingsPaced, $"{at.Subject}'s last {pace.Pauses.Count} pauses between pings are all {pause.TotalMilliseconds:F1} ms: no jitter");
                }
            }
        }

        (pace.LastPingEnd, pace.Buggified) = (at.Time, false);
    }

    private void Pull(RpcCompleted e, LoggedEvent at)
    {
        var pace = Of(at.Subject);
        if (pace.LastPullStart is { } last && e.Started - last < pullInterval - Tick && !WasHeld(at.Subject, last, e.Started))
        {
            context.Fail(PullsPaced, $"{at.Subject} pulled at {e.Started.TotalSeconds:F3}s, {(e.Started - last).TotalMilliseconds:F1} ms after its previous pull started: sooner than its pull interval ({pullInterval.TotalMilliseconds} ms)");
        }

        pace.LastPullStart = e.Started;
    }

    private void Register(RpcCompleted e, LoggedEvent at)
    {
        var pace = Of(at.Subject);
        if (pace.LastCreateFailed is { } failed)
        {
            var pause = e.Started - failed;
            var floor = TimeSpan.FromTicks(Math.Min(MaxBackoff.Ticks, FirstBackoff.Ticks << Math.Min(pace.FailuresInARow - 1, 10)));
            if (pause < floor - Tick && !WasHeld(at.Subject, failed, e.Started))
            {
                context.Fail(RegistrationBacksOff, $"{at.Subject} retried CreateNode at {e.Started.TotalSeconds:F3}s, {pause.TotalMilliseconds:F1} ms after its last attempt failed: retry {pace.FailuresInARow} in a row must wait {floor.TotalMilliseconds} ms at least");
            }
        }

        if (e.Ok)
        {
            (pace.LastCreateFailed, pace.FailuresInARow) = (null, 0);
        }
        else
        {
            (pace.LastCreateFailed, pace.FailuresInARow) = (at.Time, pace.FailuresInARow + 1);
        }
    }

    /// <summary>One node incarnation's pace so far.</summary>
    private sealed class NodePace
    {
        public TimeSpan? LastPingEnd { get; set; }

        /// <summary>BUGGIFY shortened the pause before the next ping.</summary>
        public bool Buggified { get; set; }

        public List<TimeSpan> Pauses { get; } = [];

        public TimeSpan? LastPullStart { get; set; }

        public TimeSpan? LastCreateFailed { get; set; }

        public int FailuresInARow { get; set; }
    }
}
