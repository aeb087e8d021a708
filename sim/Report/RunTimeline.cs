using System.Globalization;
using Sim.Engine;
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
/// What one loop-engine run looked like over virtual time, read back from its event log: frames delivered and
/// successful RPCs per virtual second, the intervals during which faults held, and the recovery after each heal.
/// </summary>
/// <remarks>
/// Recovery time is the virtual time from a heal to the first successful application-level step of a process the
/// healed fault touched: a gRPC call completed with status OK, on the client side (<c>rpc.done</c>) or the server
/// side (<c>rpc.handled</c>). A heal is the end of faults at one virtual instant: links healed (all links healed at
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

    /// <summary>Frames delivered (<c>net.deliver</c>) in each virtual second [i, i+1).</summary>
    public int[] DeliveredPerSecond { get; private set; } = [];

    /// <summary>RPCs completed with status OK (client side) in each virtual second.</summary>
    public int[] RpcsPerSecond { get; private set; } = [];

    public IReadOnlyList<FaultInterval> Faults { get; private set; } = [];

    public IReadOnlyList<Recovery> Recoveries { get; private set; } = [];

    /// <summary>The scenario's scripted actions (<c>fault.timeline</c>): when, which action, and its details.</summary>
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
        var seconds = (int)Math.Ceiling(Math.Max(timeline.End, 1e-9));
        var delivered = new int[seconds];
        var rpcs = new int[seconds];
        var machineOf = new Dictionary<string, string>(StringComparer.Ordinal);
        var processesOn = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        var started = new HashSet<string>(StringComparer.Ordinal);
        var open = new Dictionary<(string Kind, string Subject), double>();
        var faults = new List<FaultInterval>();
        var clogEnds = new List<(double At, string Link)>();
        var heals = new List<(int Index, double At, string What, HashSet<string> Links, HashSet<string> Processes)>();
        var scripted = new List<(double At, string Action, string Details)>();

        void Close(string kind, string subject, double at)
        {
            if (open.Remove((kind, subject), out var start))
            {
                faults.Add(new FaultInterval(kind, subject, start, at));
            }
        }

        void Healed(int index, double at, string what, string? link, string? process)
        {
            if (heals.Count == 0 || heals[^1].At != at)
            {
                heals.Add((index, at, what, [], []));
            }

            var heal = heals[^1];
            heals[^1] = heal with { Index = index, What = heal.What.Contains(what, StringComparison.Ordinal) ? heal.What : heal.What + ", " + what };
            if (link is not null)
            {
                heal.Links.Add(link);
            }

            if (process is not null)
            {
                heal.Processes.Add(process);
            }
        }

        for (var i = 0; i < events.Count; i++)
        {
            var e = events[i];
            var t = e.Time.TotalSeconds;
            var second = Math.Min(seconds - 1, (int)t);
            switch (e.Kind)
            {
                case "net.deliver":
                    delivered[second]++;
                    break;
                case "log.rpc.done" when IsOk(e):
                    rpcs[second]++;
                    break;
                case "process.start":
                    if (Field(e.Details, "machine") is { } machine && machineOf.TryAdd(e.Subject, machine))
                    {
                        processesOn.TryAdd(machine, []);
                        processesOn[machine].Add(e.Subject);
                    }

                    if (!started.Add(e.Subject))
                    {
                        Close(ProcessDown, e.Subject, t);
                        Healed(i, t, "restart", null, e.Subject);
                    }

                    break;
                case "process.kill":
                    Close(Paused, e.Subject, t);
                    open.TryAdd((ProcessDown, e.Subject), t);
                    break;
                case "process.pause":
                    open.TryAdd((Paused, e.Subject), t);
                    break;
                case "process.resume":
                    Close(Paused, e.Subject, t);
                    Healed(i, t, "resume", null, e.Subject);
                    break;
                case "net.cut":
                    open.TryAdd((Partition, e.Subject), t);
                    break;
                case "net.heal":
                    Close(Partition, e.Subject, t);
                    Healed(i, t, "links", e.Subject, null);
                    break;
                case "net.clog":
                    if (Field(e.Details, "until") is { } until && double.TryParse(until, NumberStyles.Float, CultureInfo.InvariantCulture, out var end) && end > t)
                    {
                        faults.Add(new FaultInterval(Clog, e.Subject, t, end));
                        clogEnds.Add((end, e.Subject));
                    }

                    break;
                case "fault.quiet":
                    timeline.QuietAt = t;
                    break;
                case "fault.timeline":
                    scripted.Add((t, e.Subject, e.Details));
                    break;
                default:
                    break;
            }
        }

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
                var index = Math.Max(0, FirstIndexAtOrAfter(events, end) - 1);
                heals.Add((index, end, "clog ends", [link], []));
            }
        }

        timeline.Scripted = scripted;
        timeline.DeliveredPerSecond = delivered;
        timeline.RpcsPerSecond = rpcs;
        timeline.Faults = [.. faults.OrderBy(f => f.Start).ThenBy(f => f.Kind, StringComparer.Ordinal).ThenBy(f => f.Subject, StringComparer.Ordinal)];
        timeline.Recoveries = [.. heals.OrderBy(h => h.At).Select(h =>
        {
            var touched = new SortedSet<string>(h.Processes, StringComparer.Ordinal);
            foreach (var link in h.Links)
            {
                foreach (var machine in link.Split("->"))
                {
                    touched.UnionWith(processesOn.GetValueOrDefault(machine) ?? []);
                }
            }

            double? recovered = null;
            for (var i = h.Index + 1; i < events.Count; i++)
            {
                var e = events[i];
                if (e.Kind is "log.rpc.done" or "log.rpc.handled" && IsOk(e) && touched.Contains(e.Subject))
                {
                    recovered = e.Time.TotalSeconds - h.At;
                    break;
                }
            }

            return new Recovery(h.At, h.What, [.. touched], recovered);
        })];
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

    private static bool IsOk(LoggedEvent e) => e.Details.EndsWith(" status=OK", StringComparison.Ordinal);

    /// <summary>The value of a <c>key=value</c> word of an event's details.</summary>
    private static string? Field(string details, string key)
    {
        foreach (var word in details.Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            if (word.Length > key.Length && word.StartsWith(key, StringComparison.Ordinal) && word[key.Length] == '=')
            {
                return word[(key.Length + 1)..];
            }
        }

        return null;
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
}
