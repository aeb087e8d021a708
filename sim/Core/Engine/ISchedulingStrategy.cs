using Sim.Worlds;

namespace Sim.Engine;

/// <summary>Chooses which runnable continuation runs next. Every choice is drawn from the scheduling stream.</summary>
public interface ISchedulingStrategy
{
    string Name { get; }

    /// <summary>The index in <paramref name="runnable"/> of the continuation to run at <paramref name="step"/>.</summary>
    int Pick(IReadOnlyList<WorkItem> runnable, long step);
}

/// <summary>A queued continuation.</summary>
public readonly record struct WorkItem(ExecutionContextOwner Owner, SendOrPostCallback Callback, object? State, long Sequence);
