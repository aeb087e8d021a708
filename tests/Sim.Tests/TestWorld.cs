using Sim.Engine;
using Sim.Scenarios;
using Sim.Stack.Defects;
using Sim.Stack.Host;
using Sim.Worlds;

namespace Sim.Tests;

/// <summary>Runs inline worlds and reads their typed events.</summary>
internal static class TestWorld
{
    /// <summary>Runs <paramref name="build"/> as an inline scenario under the loop engine, with no defect.</summary>
    public static RunResult Run(string name, Action<ScenarioContext> build, ulong seed = 1, string strategy = "random", bool buggify = true) =>
        Simulation.Run(new InlineScenario(name, build), new RunConfig(name, seed, strategy, DefectSet.None, Buggify: buggify));

    /// <summary>The run's events of type <typeparamref name="T"/> (or derived), in order, with when and to whom they happened.</summary>
    public static IReadOnlyList<Seen<T>> Events<T>(this RunResult result)
        where T : SimEvent =>
        [.. result.Log.Entries.Where(e => e.Event is T).Select(e => new Seen<T>((T)e.Event, e.Step, e.Time, e.Subject))];

    /// <summary>
    /// The free-text notes of one kind (<see cref="Note"/>): only for what the world still logs as text — the fault
    /// injector's own lines — which tests read as people would.
    /// </summary>
    public static IReadOnlyList<Seen<Note>> Notes(this RunResult result, string kind) => [.. result.Events<Note>().Where(n => n.Event.Kind == kind)];

    /// <summary>Fails unless the run ended without a violation and no process or loop crashed.</summary>
    public static void AssertClean(this RunResult result)
    {
        Assert.True(result.Violation is null, $"unexpected violation: {result.Violation}");
        var crashes = result.Log.Entries.Where(e => e.Event is ProcessCrashed or LoopCrashed).Select(e => $"{e.Subject} {e.Event.Kind} {e.Event.Details}").ToList();
        Assert.True(crashes.Count == 0, "a process crashed:\n" + string.Join('\n', crashes));
    }

    /// <summary>Whether a log time (printed to the microsecond) is <paramref name="actual"/>.</summary>
    public static bool SameInstant(TimeSpan logged, TimeSpan actual) => (logged - actual).Duration() <= TimeSpan.FromMicroseconds(1);

    public static void AssertSameInstant(TimeSpan logged, TimeSpan actual) =>
        Assert.True(SameInstant(logged, actual), $"expected {logged} (from the event log), got {actual}");

    public static byte[] Frame(int value) => BitConverter.GetBytes(value);

    public static int Value(ReadOnlyMemory<byte> frame) => BitConverter.ToInt32(frame.Span);
}

/// <summary>One typed event of a run, stamped with its step, virtual time and subject.</summary>
internal sealed record Seen<T>(T Event, long Step, TimeSpan Time, string Subject)
    where T : SimEvent
{
    public override string ToString() => $"{Step} {Time.TotalSeconds:F6} {Event.Kind} {Subject} {Event.Details}";
}
