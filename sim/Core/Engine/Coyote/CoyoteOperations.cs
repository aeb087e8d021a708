using System.Collections;
using System.Reflection;

namespace Sim.Engine.Coyote;

/// <summary>
/// What the world's clock reads and tidies in Coyote's operation map. Whether Coyote has another controlled operation
/// ready to run besides the one running now: the clock needs it to tell a timer fired while work was still runnable (a
/// slow scheduler, which checkers must be told of) from one fired at an idle point: most of the world's work runs as
/// await continuations that Coyote schedules as operations of their own, which the clock never sees posted. And the
/// completed operations the map keeps (see <see cref="ForgetCompleted"/>). Coyote 1.7 has no public API for either,
/// hence the reflection over its runtime's operation map, which fails loudly if a Coyote upgrade renames what it
/// reads (as <see cref="CoyoteEngine"/>'s Q-learning switch does).
/// </summary>
internal static class CoyoteOperations
{
    private const BindingFlags Internal = BindingFlags.NonPublic | BindingFlags.Public;

    private static readonly Type RuntimeType = Find(typeof(Microsoft.Coyote.Runtime.SchedulingPoint).Assembly, "Microsoft.Coyote.Runtime.CoyoteRuntime");

    private static readonly PropertyInfo Current = RuntimeType.GetProperty("Current", Internal | BindingFlags.Static)
        ?? throw Renamed("CoyoteRuntime.Current");

    private static readonly FieldInfo OperationMap = RuntimeType.GetField("OperationMap", Internal | BindingFlags.Instance)
        ?? throw Renamed("CoyoteRuntime.OperationMap");

    private static readonly FieldInfo Status = Find(RuntimeType.Assembly, "Microsoft.Coyote.Runtime.ControlledOperation").GetField("Status", Internal | BindingFlags.Instance)
        ?? throw Renamed("ControlledOperation.Status");

    private static readonly object Enabled = Enum.Parse(Status.FieldType, "Enabled");

    private static readonly object Completed = Enum.Parse(Status.FieldType, "Completed");

    /// <summary>Operations in Coyote's map: every one the iteration created and <see cref="ForgetCompleted"/> has not removed.</summary>
    public static int Count => Map().Count;

    /// <summary>True when an operation other than the running one is enabled (the running one is enabled itself).</summary>
    public static bool OthersEnabled()
    {
        var enabled = 0;
        foreach (var operation in Map().Values)
        {
            if (Enabled.Equals(Status.GetValue(operation)) && ++enabled > 1)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// Removes the completed operations from Coyote's operation map and returns how many it removed. Coyote 1.7 keeps
    /// every operation an iteration creates in that map, and at every scheduling point walks all of it several times
    /// (to enable operations whose dependencies resolved, to filter the enabled ones for the strategy, which counts
    /// them and walks to its pick): a cost per step that grows with the operations created so far, about three a world
    /// step, so an iteration of thousands of steps cost O(steps²) (scheduler-failover: 7 ms a step at 2,000 steps, 40
    /// ms at 8,000). A completed operation never runs again (Coyote reuses one only for actors and its own delays,
    /// which are not completed when reused), so what is enabled, and the order the map lists it in, do not change: the
    /// map is refilled in the order it listed the survivors, and later operations are appended after them, as before.
    /// The running operation calls this between scheduling points, when no other controlled thread touches the map.
    /// The root operation (id 0, which Coyote looks up as a parent) runs the test until the iteration ends, so it stays.
    /// </summary>
    public static int ForgetCompleted()
    {
        var map = Map();
        var kept = new List<DictionaryEntry>(map.Count);
        foreach (DictionaryEntry entry in map)
        {
            if (!Completed.Equals(Status.GetValue(entry.Value)))
            {
                kept.Add(entry);
            }
        }

        var forgotten = map.Count - kept.Count;
        if (forgotten > 0)
        {
            map.Clear();
            foreach (var entry in kept)
            {
                map.Add(entry.Key, entry.Value);
            }
        }

        return forgotten;
    }

    private static IDictionary Map() =>
        (IDictionary)(OperationMap.GetValue(Current.GetValue(null)) ?? throw Renamed("CoyoteRuntime.OperationMap (null)"));

    private static Type Find(Assembly assembly, string name) => assembly.GetType(name) ?? throw Renamed(name);

    private static InvalidOperationException Renamed(string what) =>
        new($"Coyote has no {what} any more: the world's clock reads it to tell a timer fired ahead of runnable work (see CoyoteOperations)");
}
