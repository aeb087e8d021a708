using Sim.Stack.Host;

namespace Sim.Worlds;

/// <summary>
/// The clock fired the next timer while continuations of this process (the subject) were still runnable: virtual time
/// jumped by <paramref name="Late"/> over work that was ready to run, so that work runs that much late — a slow
/// scheduler or network, which only the Coyote engine explores (the loop engine runs every runnable continuation before
/// time moves). A deadline it lets pass is the schedule's doing, not the stack's; checkers excuse exactly those
/// (<see cref="Sim.Scenarios.EarlyFires"/>).
/// </summary>
/// <param name="Due">When the timer that fired was due (the virtual time after the jump).</param>
/// <param name="Late">How far virtual time jumped over the runnable work (<paramref name="Due"/> minus the time before).</param>
/// <param name="Runnable">The process's continuations that were runnable and had to wait.</param>
public sealed record TimerFiredEarly(TimeSpan Due, TimeSpan Late, int Runnable) : SimEvent
{
    public override string Kind => "clock.fired-early";

    public override string Details => $"timer due {Due.TotalSeconds:F6}s fired before {Runnable} runnable continuation(s): they run {Late.TotalMilliseconds:F3}ms late";
}
