using Sim.Stack.Host;
using Sim.Worlds;

namespace Sim.Scenarios;

/// <summary>
/// What scripts are waiting for: conditions polled after every scheduling step (both engines call
/// <see cref="Poll"/>), and typed events matched as they are emitted. A satisfied wait completes its task;
/// the script's continuation then runs as world code, scheduled like any other.
/// </summary>
internal sealed class Waits(World world)
{
    private readonly List<(Func<bool> Condition, TaskCompletionSource<bool> Done)> conditions = [];
    private readonly Dictionary<Type, List<Func<SimEvent, LoggedEvent, bool>>> events = [];

    /// <summary>True once <paramref name="condition"/> holds; false if <paramref name="within"/> passes first.</summary>
    public Task<bool> Until(Func<bool> condition, TimeSpan? within)
    {
        if (condition())
        {
            return Task.FromResult(true);
        }

        var done = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
        conditions.Add((condition, done));
        Expire(done, false, within);
        return done.Task;
    }

    /// <summary>The first matching event of type <typeparamref name="T"/>; null if <paramref name="within"/> passes first.</summary>
    public Task<T?> Until<T>(Func<T, LoggedEvent, bool> match, TimeSpan? within)
        where T : SimEvent
    {
        if (!events.TryGetValue(typeof(T), out var waiting))
        {
            events[typeof(T)] = waiting = [];
            world.On<T>((e, logged) => waiting.RemoveAll(w => w(e, logged)));
        }

        var done = new TaskCompletionSource<T?>(TaskCreationOptions.RunContinuationsAsynchronously);
        waiting.Add((e, logged) => done.Task.IsCompleted || (match((T)e, logged) && done.TrySetResult((T)e)));
        Expire(done, null, within);
        return done.Task;
    }

    /// <summary>Completes every condition that holds now.</summary>
    public void Poll()
    {
        if (conditions.Count > 0)
        {
            conditions.RemoveAll(c => c.Done.Task.IsCompleted || (c.Condition() && c.Done.TrySetResult(true)));
        }
    }

    private void Expire<TResult>(TaskCompletionSource<TResult> done, TResult timedOut, TimeSpan? within)
    {
        if (within is { } bound)
        {
            world.Runtime.At(world.Now + bound, () => done.TrySetResult(timedOut));
        }
    }
}
