using Sim.Stack.Fleet;
using Sim.Stack.Rpc;
using Sim.Worlds;

namespace Sim.Scenarios.Fleet;

/// <summary>
/// Durability of a durable coordinator's answers: it flushes every change before it answers the call that made it, so
/// whenever it has no call in flight, every change it reported since its start is on disk (<see cref="DiskFlushed"/>
/// commits the oldest buffered writes, one per reported <see cref="FleetChange"/>). A change still buffered then was
/// answered for before it was durable: a crash would take back what a node or the driver was told. What a restart
/// recovers is judged by the model (<see cref="FleetModel"/>: no older than what was flushed).
/// </summary>
public sealed class DurabilityChecker
{
    public const string AnsweredAfterFlush = "durable-coordinator-answers-after-flushing";

    private int writes;
    private int flushed;
    private int inFlight;

    public DurabilityChecker(ScenarioContext context, FleetTopology fleet)
    {
        if (!fleet.Durable)
        {
            return;
        }

        var coordinator = fleet.Coordinator.Name;
        void From<T>(Action<T, LoggedEvent> handle)
            where T : Stack.Host.SimEvent => context.On<T>((e, at) =>
            {
                if (at.Subject == coordinator)
                {
                    handle(e, at);
                }
            });

        From<ProcessStarted>((_, _) => (writes, flushed, inFlight) = (0, 0, 0));
        From<FleetChange>((_, _) => writes++);
        From<DiskFlushed>((e, _) => flushed += Math.Min(e.Writes, writes - flushed));
        From<RpcAccepted>((_, _) => inFlight++);
        From<RpcHandled>((e, at) =>
        {
            inFlight--;
            if (inFlight == 0 && flushed < writes)
            {
                context.Fail(AnsweredAfterFlush, $"{coordinator} answered {e.Method} ({e.Status}) with no call in flight, but {writes - flushed} of its {writes} change(s) since its start are not on disk");
            }
        });
    }
}
