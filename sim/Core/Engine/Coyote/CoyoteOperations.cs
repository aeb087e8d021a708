using System.Collections;
using System.Reflection;

namespace Sim.Engine.Coyote;

/// <summary>
/// Whether Coyote has another controlled operation ready to run besides the one running now. The world's clock needs
/// it to tell a timer fired while work was still runnable (a slow scheduler, which checkers must be told of) from one
/// fired at an idle point: most of the world's work runs as await continuations that Coyote schedules as operations of
/// their own, which the clock never sees posted. Coyote 1.7 has no public API for it, hence the reflection over its
/// runtime's operation map, which fails loudly if a Coyote upgrade renames what it reads (as <see cref="CoyoteEngine"/>'s
/// Q-learning switch does).
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

    /// <summary>True when an operation other than the running one is enabled (the running one is enabled itself).</summary>
    public static bool OthersEnabled()
    {
        var map = (IDictionary)(OperationMap.GetValue(Current.GetValue(null)) ?? throw Renamed("CoyoteRuntime.OperationMap (null)"));
        var enabled = 0;
        foreach (var operation in map.Values)
        {
            if (Enabled.Equals(Status.GetValue(operation)) && ++enabled > 1)
            {
                return true;
            }
        }

        return false;
    }

    private static Type Find(Assembly assembly, string name) => assembly.GetType(name) ?? throw Renamed(name);

    private static InvalidOperationException Renamed(string what) =>
        new($"Coyote has no {what} any more: the world's clock reads it to tell a timer fired ahead of runnable work (see CoyoteOperations)");
}
