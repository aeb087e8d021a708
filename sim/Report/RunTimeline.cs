using Sim.Engine;
using Sim.Stack.Gateway;
using Sim.Stack.Rpc;
using Sim.Stack.Scheduler;
using Sim.Worlds;

namespace Sim.Report;

/// <summary>A stretch of virtual time during which a fault held: a cut link, a process down or paused, a clogged link.</summary>
/// <param name="Kind">partition, process down, paused or clog.</param>
/// <param name="Subject">The link (<c>a-&gt;b</c>) or process.</param>
public sealed record FaultInterval(string Kind, string Subject, double Start, double End);

/// <summary>A moment at which faults ended, and how long the processes they touched took to make progress again.</summary>
/// <param name="At">Virtual time of the heal, in seconds.</param>
/// <param name="What">What healed: links, a restart, a resume, a clog's end.</param>
/// <param name="Processes">The processes the healed faults touched.</param>
/// <param name="Seconds">Recovery time in virtual seconds; null when no such progress came before the run ended.</param>
public sealed record Recovery(double At, string What, IReadOnlyList<string> Processes, double? Seconds);

/// <summary>
/// What one loop-engine run looked like over virtual time, read back from the typed events of its log: frames
/// delivered and successful RPCs per virtual second, the intervals during which faults held, and the recovery after
/// each heal.
/// </summary>
/// <remarks>
/// Recovery time is the virtual time from a heal to the first successful application-level step of a process the
/// healed fault touched: a gRPC call completed with status OK, on the client side (<see cref="RpcCompleted"/>) or the server
/// side (<see cref="RpcHandled"/>). A heal is the end of faults at one virtual instant: links healed (all links healed at
/// that instant count as one heal), a killed process started again, a paused process resumed, or a clog's hold
/// ending. The processes touched are those on the machines of the healed links or clogged link, or the restarted or
/// resumed process. A heal followed by no such call before the run ends is counted as not recovered.
/// </remarks>
public sealed class RunTimeline
{
    public const string Partition = "partition";
    public const string ProcessDown = "process down";
    public const string Paused = "paused";
    public const string Clog = "clog";

    private RunTimeline(RunResult run)
    {
        Run = run;
    }

    public RunResult Run { get; }

    /// <summary>Virtual seconds the run covered.</summary>
    public double End { get; private set; }

    /// <summary>When faults stopped and everything healed, if the run got there.</summary>
    public double? QuietAt { get; private set; }

    /// <summary>Frames delivered (<see cref="FrameDelivered"/>) in each virtual second [i, i+1).</summary>
    public int[] DeliveredPerSecond { get; private set; } = [];

    /// <summary>RPCs completed with status OK (client side) in each virtual second.</summary>
    public int[] RpcsPerSecond { get; private set; } = [];

    /// <summary>
    /// Site gateways (gateway-routing): requests each source party sent into its own gateway (first tries, hop 0) in
    /// each virtual second; empty for scenarios without gateways.
    /// </summary>
    public IReadOnlyDictionary<string, int[]> RequestsByParty { get; private set; } = new Dictionary<string, int[]>();

    /// <summary>Route tables a gateway put live after its start (file or admin reloads): when, which gateway, from where.</summary>
    public IReadOnlyList<(double At, string Gateway, string Source)> Reloads { get; private set; } = [];

    /// <summary>Replicated schedulers (scheduler-failover): each lease the store granted to a new term — when, to whom, at which epoch.</summary>
    public IReadOnlyList<(double At, string Holder, long Epoch)> LeaderChanges { get; private set; } = [];

    public IReadOnlyList<FaultInterval> Faults { get; private set; } = [];

    public IReadOnlyList<Recovery> Recoveries { get; private set; } = [];

    /// <summary>
    /// The faults the scenario's own script or timeline applied (not the injector's draws), with their verb
    /// (<c>Kill</c>) and what they were applied to (<c>kill scheduler</c>): traffic that drops right after one is
    /// the scenario's doing.
    /// </summary>
    public IReadOnlyList<(double At, string Action, string Details)> Scripted { get; private set; } = [];

    /// <summary>Reads a run that kept its event log (<see cref="RunConfig.KeepEventLog"/>).</summary>
    public static RunTimeline Of(RunResult run)
    {
        var events = run.Log.Entries;
        if (events.Count == 0)
        {
            throw new ArgumentException("the run kept no event log: run it with KeepEventLog = true");
        }

        var timeline = new RunTimeline(run) { End = run.VirtualTime.TotalSeconds };
        var reader = new Reader(timeline, events);
        for (var i = 0; i < events.Count; i++)
        {
            reader.Read(i);
        }

        reader.Finish();
        return timeline;
    }

    /// <summary>The fault intervals of one kind, merged where they overlap (for shading).</summary>
    public IReadOnlyList<(double Start, double End)> Merged(string kind)
    {
        var merged = new List<(double Start, double End)>();
        foreach (var f in Faults.Where(f => f.Kind == kind).OrderBy(f => f.Start))
        {
            if (merged.Count > 0 && f.Start <= merged[^1].End)
            {
                merged[^1] = (merged[^1].Start, Math.Max(merged[^1].End, f.End));
            }
            else
            {
                merged.Add((f.Start, f.End));
            }
        }

        return merged;
    }

    private static int FirstIndexAtOrAfter(IReadOnlyList<LoggedEvent> events, double seconds)
    {
        var (lo, hi) = (0, events.Count);
        while (lo < hi)
        {
            var mid = (lo + hi) / 2;
            if (events[mid].Time.TotalSeconds < seconds)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid;
            }
        }

        return lo;
    }

    /// <summary>Reads the typed events of one run in order and builds its timeline.</summary>
    private sealed class Reader(RunTimeline timeline, IReadOnlyList<LoggedEvent> events)
    {
        private readonly int[] delivered = new int[Seconds(timeline.End)];
        private readonly int[] rpcs = new int[Seconds(timeline.End)];
        private readonly Dictionary<string, List<string>> processesOn = new(StringComparer.Ordinal);
        private readonly HashSet<string> started = new(StringComparer.Ordinal);
        private readonly Dictionary<(string Kind, string Subject), double> open = [];
        private readonly List<FaultInterval> faults = [];
        private readonly List<(double At, (string From, string To) Link)> clogEnds = [];
        private readonly List<Heal> heals = [];
        private readonly List<(double At, string Action, string Details)> scripted = [];
        private readonly SortedDictionary<string, int[]> byParty = new(StringComparer.Ordinal);
        private readonly List<(double At, string Gateway, string Source)> reloads = [];
        private readonly List<(double At, string Holder, long Epoch)> leaders = [];

        public void Read(int index)
        {
            var e = events[index];
            var t = e.Time.TotalSeconds;
            var second = Math.Min(delivered.Length - 1, (int)t);
            switch (e.Event)
            {
                case FrameDelivered:
                    delivered[second]++;
                    break;
                case RpcCompleted { Ok: true }:
                    rpcs[second]++;
                    break;
                case ProcessStarted start:
                    if (started.Add(e.Subject))
                    {
                        (processesOn.TryGetValue(start.Machine, out var here) ? here : processesOn[start.Machine] = []).Add(e.Subject);
                    }
                    else
                    {
                        Close(ProcessDown, e.Subject, t);
                        Healed(index, t, "restart", null, e.Subject);
                    }

                    break;
                case ProcessKilled:
                    Close(Paused, e.Subject, t);
                    open.TryAdd((ProcessDown, e.Subject), t);
                    break;
                case ProcessPaused:
                    open.TryAdd((Paused, e.Subject), t);
                    break;
                case ProcessResumed:
                    Close(Paused, e.Subject, t);
                    Healed(index, t, "resume", null, e.Subject);
                    break;
                case LinkCut:
                    open.TryAdd((Partition, e.Subject), t);
                    break;
                case LinkHealed heal:
                    Close(Partition, e.Subject, t);
                    Healed(index, t, "links", (heal.From, heal.To), null);
                    break;
                case LinkClogged clog when clog.Until.TotalSeconds > t:
                    faults.Add(new FaultInterval(Clog, e.Subject, t, clog.Until.TotalSeconds));
                    clogEnds.Add((clog.Until.TotalSeconds, (clog.From, clog.To)));
                    break;
                case FaultAction { Origin: FaultOrigin.Scripted } action:
                    scripted.Add((t, action.GetType().Name, $"{action.Kind["fault.".Length..]} {action.Subject}"));
                    break;
                case FaultsQuiet:
                    timeline.QuietAt = t;
                    break;
                case RequestRouted { Hops: 0, Attempt: 1 } routed:
                    (byParty.TryGetValue(routed.Source, out var counts) ? counts : byParty[routed.Source] = new int[delivered.Length])[second]++;
                    break;
                case RouteTableLoaded loaded when loaded.Source != "startup" && loaded.Source != "cache":
                    reloads.Add((t, e.Subject, loaded.Source));
                    break;
                case LeaseGranted granted:
                    leaders.Add((t, granted.Holder, granted.Epoch));
                    break;
                default:
                    break;
            }
        }

        public void Finish()
        {
            foreach (var ((kind, subject), start) in open)
            {
                faults.Add(new FaultInterval(kind, subject, start, timeline.End));
            }

            // The network heals every clog at the quiet point; a clog's hold ends then at the latest.
            for (var i = 0; i < faults.Count; i++)
            {
                if (faults[i].Kind == Clog && timeline.QuietAt is { } quiet && faults[i].End > quiet)
                {
                    faults[i] = faults[i] with { End = Math.Max(faults[i].Start, quiet) };
                }
            }

            foreach (var (at, link) in clogEnds)
            {
                var end = timeline.QuietAt is { } quiet ? Math.Min(at, quiet) : at;
                if (end < timeline.End)
                {
                    heals.Add(new Heal(Math.Max(0, FirstIndexAtOrAfter(events, end) - 1), end, "clog ends", [link], []));
                }
            }

            timeline.DeliveredPerSecond = delivered;
            timeline.RpcsPerSecond = rpcs;
            timeline.Faults = [.. faults.OrderBy(f => f.Start).ThenBy(f => f.Kind, StringComparer.Ordinal).ThenBy(f => f.Subject, StringComparer.Ordinal)];
            timeline.Recoveries = [.. heals.OrderBy(h => h.At).Select(Recover)];
            timeline.Scripted = scripted;
            timeline.RequestsByParty = byParty;
            timeline.Reloads = reloads;
            timeline.LeaderChanges = leaders;
        }

        /// <summary>The recovery after one heal: the first RPC completed OK by a process the healed faults touched.</summary>
        private Recovery Recover(Heal heal)
        {
            var touched = new SortedSet<string>(heal.Processes, StringComparer.Ordinal);
            foreach (var (from, to) in heal.Links)
            {
                touched.UnionWith(processesOn.GetValueOrDefault(from) ?? []);
                touched.UnionWith(processesOn.GetValueOrDefault(to) ?? []);
            }

            double? recovered = null;
            for (var i = heal.Index + 1; i < events.Count; i++)
            {
                var e = events[i];
                if (e.Event is RpcCompleted { Ok: true } or RpcHandled { Ok: true } && touched.Contains(e.Subject))
                {
                    recovered = e.Time.TotalSeconds - heal.At;
                    break;
                }
            }

            return new Recovery(heal.At, heal.What, [.. touched], recovered);
        }

        private void Close(string kind, string subject, double at)
        {
            if (open.Remove((kind, subject), out var start))
            {
                faults.Add(new FaultInterval(kind, subject, start, at));
            }
        }

        /// <summary>Notes a heal; every heal at one virtual instant counts as one.</summary>
        private void Healed(int index, double at, string what, (string, string)? link, string? process)
        {
            if (heals.Count == 0 || heals[^1].At != at)
            {
                heals.Add(new Heal(index, at, what, [], []));
            }

            var heal = heals[^1];
            heals[^1] = heal with { Index = index, What = heal.What.Contains(what, StringComparison.Ordinal) ? heal.What : heal.What + ", " + what };
            if (link is { } l)
            {
                heal.Links.Add(l);
            }

            if (process is not null)
            {
                heal.Processes.Add(process);
            }
        }

        private static int Seconds(double end) => (int)Math.Ceiling(Math.Max(end, 1e-9));
    }

    /// <summary>Faults that ended at one virtual instant: the links healed and the processes restarted or resumed.</summary>
    private sealed record Heal(int Index, double At, string What, HashSet<(string From, string To)> Links, HashSet<string> Processes);
}
