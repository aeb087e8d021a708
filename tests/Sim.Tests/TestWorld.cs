using System.Globalization;
using System.Text.RegularExpressions;
using Sim.Engine;
using Sim.Scenarios;
using Sim.Stack.Defects;
using Sim.Worlds;

namespace Sim.Tests;

/// <summary>Runs inline worlds and reads their event logs.</summary>
internal static partial class TestWorld
{
    /// <summary>Runs <paramref name="build"/> as an inline scenario under the loop engine, with no defect.</summary>
    public static RunResult Run(string name, Action<ScenarioContext> build, ulong seed = 1, string strategy = "random", bool buggify = true) =>
        Simulation.Run(new InlineScenario(name, build), new RunConfig(name, seed, strategy, DefectSet.None, Buggify: buggify));

    /// <summary>The event-log lines of one kind, parsed.</summary>
    public static IReadOnlyList<EventLine> Events(this RunResult result, string kind) =>
        result.Log.Lines.Select(EventLine.Parse).Where(e => e.Kind == kind).ToList();

    /// <summary>Every event-log line, parsed, in order.</summary>
    public static IReadOnlyList<EventLine> AllEvents(this RunResult result) => result.Log.Lines.Select(EventLine.Parse).ToList();

    /// <summary>Fails unless the run ended without a violation and no process or loop crashed.</summary>
    public static void AssertClean(this RunResult result)
    {
        Assert.True(result.Violation is null, $"unexpected violation: {result.Violation}");
        var crashes = result.Log.Lines.Where(l => l.Contains(" process.crashed ", StringComparison.Ordinal) || l.Contains(" process.loop-crashed ", StringComparison.Ordinal)).ToList();
        Assert.True(crashes.Count == 0, "a process crashed:\n" + string.Join('\n', crashes));
    }

    /// <summary>The <c>seq=N</c> of an event line's details.</summary>
    public static long Seq(this EventLine line) => long.Parse(SeqPattern().Match(line.Details).Groups[1].Value, CultureInfo.InvariantCulture);

    /// <summary>Whether a log time (printed to the microsecond) is <paramref name="actual"/>.</summary>
    public static bool SameInstant(TimeSpan logged, TimeSpan actual) => (logged - actual).Duration() <= TimeSpan.FromMicroseconds(1);

    public static void AssertSameInstant(TimeSpan logged, TimeSpan actual) =>
        Assert.True(SameInstant(logged, actual), $"expected {logged} (from the event log), got {actual}");

    public static byte[] Frame(int value) => BitConverter.GetBytes(value);

    public static int Value(ReadOnlyMemory<byte> frame) => BitConverter.ToInt32(frame.Span);

    [GeneratedRegex(@"seq=(\d+)")]
    private static partial Regex SeqPattern();
}

/// <summary>One event-log line: "step time kind subject details".</summary>
internal sealed record EventLine(long Step, TimeSpan Time, string Kind, string Subject, string Details)
{
    public static EventLine Parse(string line)
    {
        var parts = line.Split(' ', 5);
        return new EventLine(
            long.Parse(parts[0], CultureInfo.InvariantCulture),
            TimeSpan.FromTicks((long)Math.Round(decimal.Parse(parts[1], CultureInfo.InvariantCulture) * TimeSpan.TicksPerSecond)),
            parts[2],
            parts.Length > 3 ? parts[3] : "",
            parts.Length > 4 ? parts[4] : "");
    }

    public override string ToString() => $"{Step} {Time.TotalSeconds:F6} {Kind} {Subject} {Details}";
}
