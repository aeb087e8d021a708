using Google.Protobuf;
using Grpc.Core;
using Sim.Stack.Host;
using Sim.Stack.Scheduler.Contracts;

namespace Sim.Stack.Scheduler;

/// <summary>
/// Leader election by a lease object in the store, as client-go's leaderelection package does it: candidates try to
/// acquire every retry period (jittered by a factor of 1.2); a follower takes the lease only once it has seen the
/// record unchanged for a whole lease duration on its own clock; the leader renews every retry period and, when it
/// could not renew for its renew deadline, stops leading on its own — before followers, who wait the longer lease
/// duration, may take over. Each new term takes the next epoch, which the store fences leaders' writes with.
/// </summary>
/// <remarks>
/// What the protocol assumes about clocks (as client-go documents: it "does not tolerate arbitrary clock skew rate"):
/// every replica measures only durations, on its own monotonic clock (<see cref="IClock.Elapsed"/>); nobody compares
/// a timestamp taken on one machine with a clock on another. The acquire and renew times in the record are the
/// holder's wall clock and purely informational, so a machine whose wall clock is skewed (an NTP step, a bad RTC)
/// elects and renews exactly as one whose clock is right. What it does assume is that clocks advance at nearly the
/// same rate: the leader's deadline (renew deadline after the start of its last successful renewal) must pass before
/// a follower's (lease duration after it observed that renewal), which holds while rates differ by less than
/// (lease − renew deadline) / lease, a third here as upstream. A paused process breaks even that — it acts on what it
/// decided before the pause — which is why the store fences writes by epoch and timing alone is never trusted.
/// </remarks>
public sealed class LeaderElector
{
    private const double JitterFactor = 1.2;

    private readonly IHost host;
    private readonly SchedulerOptions options;
    private readonly Store.StoreClient store;
    private ByteString? observedRecord;
    private TimeSpan observedAt;
    private TimeSpan renewedAt;
    private bool leading;

    public LeaderElector(IHost host, SchedulerOptions options, Store.StoreClient store)
    {
        options.Validate();
        this.host = host;
        this.options = options;
        this.store = store;
    }

    /// <summary>The epoch of the current term (0 before the first).</summary>
    public long Epoch { get; private set; }

    /// <summary>The lease holder as last observed (this replica or another), for redirecting clients.</summary>
    public string? ObservedHolder { get; private set; }

    /// <summary>Whether this replica may act as leader now: it leads and its renew deadline has not passed on its own clock.</summary>
    public bool Holds(out long epoch)
    {
        epoch = Epoch;
        return leading && host.Clock.Elapsed - renewedAt < options.RenewDeadline;
    }

    /// <summary>
    /// Stops leading the term of <paramref name="epoch"/> at once (the store refused that epoch: someone newer leads). A
    /// refusal of an earlier term's write that arrives once this replica has won a newer term ends nothing: the store
    /// fenced the old term, not the one it leads now.
    /// </summary>
    public void StepDown(long epoch, string reason)
    {
        if (leading && epoch == Epoch)
        {
            leading = false;
            host.Log.Event(new LeaderStepDown(Epoch, reason));
        }
    }

    /// <summary>Campaigns, leads, renews and steps down, for as long as the process lives.</summary>
    public async Task RunAsync(CancellationToken lifetime)
    {
        while (!lifetime.IsCancellationRequested)
        {
            while (!await TryAcquireOrRenewAsync(lifetime))
            {
                await host.Clock.Delay(options.RetryPeriod + (options.RetryPeriod * (host.Random.NextDouble() * JitterFactor)), lifetime);
            }

            leading = true;
            host.Log.Event(new LeaderElected(Epoch));
            await RenewAsync(lifetime);
        }
    }

    /// <summary>Renews every retry period until a renewal fails for the whole renew deadline (or the store fences this term).</summary>
    private async Task RenewAsync(CancellationToken lifetime)
    {
        while (leading)
        {
            await host.Clock.Delay(options.RetryPeriod, lifetime);
            while (leading && !await TryAcquireOrRenewAsync(lifetime))
            {
                if (host.Clock.Elapsed - renewedAt >= options.RenewDeadline)
                {
                    StepDown(Epoch, $"could not renew for {options.RenewDeadline.TotalSeconds:0.###}s");
                    return;
                }

                await host.Clock.Delay(options.RetryPeriod, lifetime);
            }
        }
    }

    /// <summary>One attempt: read the lease; take it if it is free, expired by our clock, or ours; false if not taken.</summary>
    private async Task<bool> TryAcquireOrRenewAsync(CancellationToken lifetime)
    {
        var started = host.Clock.Elapsed;
        try
        {
            var current = await store.GetAsync(new GetRequest { Key = StoreKeys.Lease }, deadline: Deadline(), cancellationToken: lifetime);
            var now = host.Clock.Elapsed;
            LeaseRecord? record = null;
            if (current.Found)
            {
                record = LeaseRecord.Parser.ParseFrom(current.Value);
                ObservedHolder = record.Holder;
                if (!current.Value.Equals(observedRecord))
                {
                    observedRecord = current.Value;
                    observedAt = now;
                }

                var mine = string.Equals(record.Holder, host.Name, StringComparison.Ordinal);
                if (!mine && observedAt + options.LeaseDuration > now)
                {
                    return false;
                }

                if (mine && leading && record.Epoch != Epoch)
                {
                    StepDown(Epoch, $"the lease moved on to epoch {record.Epoch}");
                    return false;
                }
            }

            var next = Next(record);
            var value = next.ToByteString();
            await store.PutAsync(new PutRequest { Key = StoreKeys.Lease, Value = value, ExpectedVersion = current.Version, Holder = host.Name }, deadline: Deadline(), cancellationToken: lifetime);
            observedRecord = value;
            observedAt = started;
            renewedAt = started;
            Epoch = next.Epoch;
            ObservedHolder = host.Name;
            return true;
        }
        catch (RpcException)
        {
            return false;
        }
    }

    /// <summary>The record to write: a renewal keeps the term's epoch; a new term (or a new holder) takes the next one.</summary>
    private LeaseRecord Next(LeaseRecord? record)
    {
        var wall = new DateTimeOffset(host.Clock.UtcNow).ToUnixTimeMilliseconds();
        if (record is not null && leading && string.Equals(record.Holder, host.Name, StringComparison.Ordinal))
        {
            return new LeaseRecord(record) { RenewTimeMs = wall };
        }

        return new LeaseRecord
        {
            Holder = host.Name,
            Epoch = (record?.Epoch ?? 0) + 1,
            LeaseDurationMs = (long)options.LeaseDuration.TotalMilliseconds,
            AcquireTimeMs = wall,
            RenewTimeMs = wall,
            Transitions = (record?.Transitions ?? 0) + (record is null || string.Equals(record.Holder, host.Name, StringComparison.Ordinal) ? 0 : 1),
        };
    }

    private DateTime Deadline() => host.Clock.UtcNow + options.CallTimeout;
}
