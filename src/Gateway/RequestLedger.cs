using System.Globalization;
using System.Text;
using Grpc.Core;
using Sim.Stack.Gateway.Contracts;
using Sim.Stack.Host;

namespace Sim.Stack.Gateway;

/// <summary>
/// At most once for unary calls: a component may not be idempotent (a job submission), and a forward retried by a
/// gateway upstream may arrive twice. The id of every call delivered to a component is recorded durably before the
/// delivery; a repeat while the first is running or remembered gets the first one's outcome, and a repeat of a call
/// that a previous incarnation had started (its outcome lost with it) is refused with <c>Aborted</c>, never run again.
/// Ids are forgotten after the retention, longer than any retry sequence lasts.
/// </summary>
public sealed class RequestLedger
{
    private const string Prefix = "ledger/";

    private readonly IHost host;
    private readonly TimeSpan retention;
    private readonly Dictionary<string, Task<Outbound>> runs = new(StringComparer.Ordinal);
    private readonly HashSet<string> unknown = new(StringComparer.Ordinal);
    private readonly Queue<(TimeSpan At, string Id)> order = new();

    private RequestLedger(IHost host, TimeSpan retention)
    {
        this.host = host;
        this.retention = retention;
    }

    /// <summary>The ledger as the disk left it: every recorded id of a previous incarnation has an unknown outcome.</summary>
    public static RequestLedger Recover(IHost host, TimeSpan retention)
    {
        var ledger = new RequestLedger(host, retention);
        var recorded = host.Disk.Keys(Prefix)
            .Select(key => (At: TimeSpan.FromTicks(long.Parse(Encoding.UTF8.GetString(host.Disk.Read(key)!), CultureInfo.InvariantCulture)), Id: key[Prefix.Length..]))
            .OrderBy(r => r.At)
            .ToList();
        foreach (var (at, id) in recorded)
        {
            ledger.unknown.Add(id);
            ledger.order.Enqueue((at, id));
        }

        return ledger;
    }

    /// <summary>Runs <paramref name="deliver"/> for <paramref name="id"/> unless it ran (or is running) already.</summary>
    public async Task<Outbound> RunOnceAsync(string id, Func<Task<Outbound>> deliver, CancellationToken cancellationToken)
    {
        Prune();
        if (runs.TryGetValue(id, out var first))
        {
            host.Log.Event(new DuplicateSuppressed(id, first.IsCompleted ? "answered with the first try's outcome" : "joined the first try, still running"));
            return await first;
        }

        if (unknown.Contains(id))
        {
            throw new RpcException(new Status(StatusCode.Aborted, $"request {id} reached {host.Name} before it restarted: whether its component ran is unknown, so it is not run again"));
        }

        var run = RecordThenDeliverAsync(id, deliver, cancellationToken);
        runs[id] = run;
        order.Enqueue((host.Clock.Elapsed, id));
        return await run;
    }

    private async Task<Outbound> RecordThenDeliverAsync(string id, Func<Task<Outbound>> deliver, CancellationToken cancellationToken)
    {
        host.Disk.Write(Prefix + id, Encoding.UTF8.GetBytes(host.Clock.Elapsed.Ticks.ToString(CultureInfo.InvariantCulture)));
        await host.Disk.FlushAsync(cancellationToken);
        return await deliver();
    }

    private void Prune()
    {
        var horizon = host.Clock.Elapsed - retention;
        while (order.TryPeek(out var oldest) && oldest.At < horizon && (!runs.TryGetValue(oldest.Id, out var run) || run.IsCompleted))
        {
            order.Dequeue();
            runs.Remove(oldest.Id);
            unknown.Remove(oldest.Id);
            host.Disk.Delete(Prefix + oldest.Id);
        }
    }
}
