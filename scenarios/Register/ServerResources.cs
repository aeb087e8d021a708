using Sim.Stack.Rpc;
using Sim.Worlds;

namespace Sim.Scenarios.Register;

/// <summary>
/// Resources, at the horizon (faults stopped at the quiet point, clients idle since well before): each server
/// process holds its one listener, no connection whose other end was let go of, no call still being handled,
/// no armed timer (nothing is owed to anyone), and no background loop beyond accepting, serving each connection
/// it holds and reading each connection it dialed — what the live clients still justify, and nothing more.
/// </summary>
public sealed class ServerResources
{
    public const string ResourcesSettle = "server-resources-settle";

    private readonly ScenarioContext context;
    private readonly Dictionary<string, int> inFlight = new(StringComparer.Ordinal);

    public ServerResources(ScenarioContext context, IReadOnlyList<Live> servers)
    {
        this.context = context;
        context.On<ProcessStarted>((_, at) => inFlight[at.Subject] = 0);
        context.On<RpcAccepted>((_, at) => inFlight[at.Subject] = inFlight.GetValueOrDefault(at.Subject) + 1);
        context.On<RpcHandled>((_, at) => inFlight[at.Subject] = inFlight.GetValueOrDefault(at.Subject) - 1);
        context.Eventually(ResourcesSettle, () => servers.Select(Leak).FirstOrDefault(leak => leak is not null));
    }

    private string? Leak(Live server)
    {
        var held = context.World.Resources(server.Process);
        if (!held.Up)
        {
            return null;
        }

        var served = held.Connections.Count(c => c.Server == server.Name);
        var dialed = held.Connections.Count - served;
        var calls = inFlight.GetValueOrDefault(server.Name);
        var why = held.Listeners.Count != 1 ? $"{held.Listeners.Count} listeners where it serves on one"
            : held.Connections.FirstOrDefault(c => c.ClientClosed != c.ServerClosed) is { } half ? $"it still holds {half} after the other end closed it"
            : calls != 0 ? $"{calls} call(s) it accepted were never handled"
            : held.PendingTimers != 0 ? $"{held.PendingTimers} timer(s) armed with nothing owed to anyone"
            : held.RunningLoops != 1 + served + dialed ? $"{held.RunningLoops} background loop(s) where accepting, {served} served and {dialed} dialed connection(s) justify {1 + served + dialed}"
            : null;
        return why is null ? null : $"{server.Name} at the horizon: {why} ({held})";
    }
}
