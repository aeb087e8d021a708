using System.Collections;
using System.Reflection;

namespace Sim.Engine.Coyote;

/// <summary>
/// What the world's clock reads and tidies in Coyote's operation map. Whether Coyote has another controlled operation
/// ready to run besides the one running now: the clock needs it to tell a timer fired while work was still runnable (a
/// slow scheduler, which checkers must be told of) from one fired at an idle point: most of the world's work runs as
/// await continuations that Coyote schedules as operations of their own, which the clock never sees posted. The
/// completed operations the map keeps (see <see cref="ForgetCompleted"/>), and the creation chain an operation passes
/// on (see <see cref="CutCreationChain"/>). Coyote 1.7 has no public API for any of it, hence the reflection over its
/// runtime and operations, which fails loudly if a Coyote upgrade renames what it reads (as
/// <see cref="CoyoteEngine"/>'s Q-learning switch does).
/// </summary>
internal static class CoyoteOperations
{
    private const BindingFlags Internal = BindingFlags.NonPublic | BindingFlags.Public;

    private static readonly Type RuntimeType = Find(typeof(Microsoft.Coyote.Runtime.SchedulingPoint).Assembly, "Microsoft.Coyote.Runtime.CoyoteRuntime");

    private static readonly PropertyInfo Current = RuntimeType.GetProperty("Current", Internal | BindingFlags.Static)
        ?? throw Renamed("CoyoteRuntime.Current");

    private static readonly FieldInfo OperationMap = RuntimeType.GetField("OperationMap", Internal | BindingFlags.Instance)
        ?? throw Renamed("CoyoteRuntime.OperationMap");

    private static readonly Type OperationType = Find(RuntimeType.Assembly, "Microsoft.Coyote.Runtime.ControlledOperation");

    private static readonly FieldInfo Status = OperationType.GetField("Status", Internal | BindingFlags.Instance)
        ?? throw Renamed("ControlledOperation.Status");

    private static readonly FieldInfo Executing = RuntimeType.GetField("ExecutingOperation", Internal | BindingFlags.Static)
        ?? throw Renamed("CoyoteRuntime.ExecutingOperation");

    private static readonly FieldInfo Sequence = OperationType.GetField("Sequence", Internal | BindingFlags.Instance)
        ?? throw Renamed("ControlledOperation.Sequence");

    /// <summary>Entries of a creation chain <see cref="CutCreationChain"/> keeps: the root's and the latest ones.</summary>
    private const int ChainKept = 4;

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

    /// <summary>
    /// Shortens the creation chain of the running operation to its root and its latest entries. Coyote records in every
    /// operation the chain of operations that created it (ControlledOperation.Sequence: the creator's chain, copied, and
    /// one more entry), and hashes it into the operation's sequence id, which is written into the trace next to the
    /// operation's id and otherwise read only by Coyote's implicit state hashing (off: see <see cref="CoyoteEngine"/>)
    /// and its trace analysis (off too); replay and every strategy go by operation ids. The clock's await continuation
    /// is created by the operation that woke it, which the clock had created, so the clock's chain grew by two at every
    /// wait, and every operation created after copied it: scheduler-failover's chains had 2,346 entries at 8,000 steps,
    /// the copies 1.1 GB at 12,000. Operations created from now on copy the short chain (their sequence ids, in the
    /// trace only, differ from the full chain's). The clock calls this whenever it resumes from a wait.
    /// </summary>
    public static void CutCreationChain()
    {
        var operation = Executing.GetValue(null) ?? throw new InvalidOperationException("the clock runs outside a Coyote operation");
        var chain = (List<ulong>)(Sequence.GetValue(operation) ?? throw Renamed("ControlledOperation.Sequence (null)"));
        if (chain.Count > ChainKept)
        {
            chain.RemoveRange(1, chain.Count - ChainKept);
        }
    }

    private static IDictionary Map() =>
        (IDictionary)(OperationMap.GetValue(Current.GetValue(null)) ?? throw Renamed("CoyoteRuntime.OperationMap (null)"));

    private static Type Find(Assembly assembly, string name) => assembly.GetType(name) ?? throw Renamed(name);

    private static InvalidOperationException Renamed(string what) =>
        new($"Coyote has no {what} any more: the world's clock reads it to tell a timer fired ahead of runnable work (see CoyoteOperations)");
}
