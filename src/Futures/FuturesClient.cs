using Grpc.Core;
using Sim.Stack.Buggify;
using Sim.Stack.Defects;
using Sim.Stack.Futures.Contracts;
using Sim.Stack.Host;
using Sim.Stack.Rpc;

namespace Sim.Stack.Futures;

/// <summary>The client's connection status, as upstream: running → connecting → running, or closed.</summary>
public enum ClientStatus
{
    NewlyCreated,
    Running,
    Connecting,
    Closed,
}

/// <summary>How a client reaches its scheduler.</summary>
/// <param name="Scheduler">The scheduler's name (dialled with server-name verification).</param>
/// <param name="Port">The scheduler's port.</param>
/// <param name="Tls">TLS settings for the scheduler.</param>
/// <param name="ReconnectDeadline">How long the client keeps trying to reconnect before it closes itself (upstream 30 s).</param>
/// <param name="RetryInterval">Time between two reconnection attempts (upstream 0.1 s).</param>
/// <param name="CallTimeout">Deadline of a submit or cancel call.</param>
/// <param name="Defects">The defect switches on for this run.</param>
public sealed record FuturesClientOptions(
    string Scheduler,
    int Port,
    TlsClientOptions? Tls,
    TimeSpan ReconnectDeadline,
    TimeSpan RetryInterval,
    TimeSpan CallTimeout,
    DefectSet Defects);

/// <summary>
/// A Dask-style client: submits keyed computations to the scheduler and holds their futures; one report
/// stream carries every state change of its keys. When the stream breaks, every pending future is
/// cancelled (reason <see cref="ConnectionLost"/>) and forgotten, and the client reconnects every
/// <see cref="FuturesClientOptions.RetryInterval"/> until <see cref="FuturesClientOptions.ReconnectDeadline"/>,
/// then it is running again or closes itself.
/// </summary>
public sealed class FuturesClient
{
    public const string ConnectionLost = "scheduler-connection-lost";
    public const string ConnectionLostMessage = "Client lost the connection to the scheduler. Please check your connection and re-run your work.";
    public const string SchedulerRestart = "scheduler-restart";
    public const string SchedulerRestartMessage = "Scheduler has restarted. Please re-run your work.";
    public const string ClientClosed = "client-closed";
    public const string ClientClosedMessage = "Client was closed before the work finished.";

    private readonly IHost host;
    private readonly FuturesClientOptions options;
    private readonly Contracts.Scheduler.SchedulerClient scheduler;
    private readonly Dictionary<string, Future> futures = new(StringComparer.Ordinal);
    private readonly List<TaskSpec> buffered = [];
    private int counter;
    private string session = "";
    private AsyncServerStreamingCall<Report>? stream;

    private FuturesClient(IHost host, FuturesClientOptions options, string id)
    {
        this.host = host;
        this.options = options;
        Id = id;
        scheduler = new Contracts.Scheduler.SchedulerClient(new RpcChannel(host, options.Scheduler, options.Port, options.Tls));
    }

    /// <summary>The client's identity at the scheduler (the same across reconnects).</summary>
    public string Id { get; }

    public ClientStatus Status { get; private set; } = ClientStatus.NewlyCreated;

    /// <summary>Bumps whenever the client forgets its futures (connection lost, scheduler restarted).</summary>
    public int Generation { get; private set; }

    /// <summary>The futures the client holds.</summary>
    public IEnumerable<Future> Held => futures.Values;

    /// <summary>The keys submitted while connecting, not sent yet.</summary>
    public IEnumerable<string> Buffered => buffered.Select(spec => spec.Key);

    /// <summary>The scheduler's token for the client's current session ("" before the first connection).</summary>
    public string Session => session;

    internal DefectSet Defects => options.Defects;

    /// <summary>Connects (like <c>await Client(address)</c>); throws <see cref="SchedulerUnreachableException"/> if it cannot within <paramref name="timeout"/>.</summary>
    public static async Task<FuturesClient> ConnectAsync(IHost host, FuturesClientOptions options, string name, TimeSpan timeout)
    {
        var client = new FuturesClient(host, options, $"{name}-{host.Incarnation}");
        await client.EnsureConnectedAsync(timeout);
        return client;
    }

    /// <summary>Submits a named deterministic computation; returns its future at once.</summary>
    public Future Submit(string operation, IEnumerable<long> inputs, TimeSpan duration)
    {
        if (Status == ClientStatus.Closed)
        {
            throw new ClientClosedException($"client {Id} is closed: create a new client to submit work");
        }

        var key = $"{operation}-{Id}-{++counter}";
        var future = new Future(this, key, Generation);
        futures[key] = future;
        var spec = new TaskSpec { Key = key, Operation = operation, DurationMs = (int)duration.TotalMilliseconds };
        spec.Inputs.AddRange(inputs);
        var running = Status == ClientStatus.Running;
        host.Log.Event(new FutureSubmitted(Id, key, Generation, !running));
        if (running)
        {
            host.Spawn("submit", _ => SendSubmitAsync([spec], Generation, session));
        }
        else
        {
            // Upstream buffers messages while connecting and sends them once connected again.
            buffered.Add(spec);
        }

        return future;
    }

    /// <summary>
    /// Cancels futures with a reason and a message: the scheduler forgets them and tells the client, and
    /// the client cancels them locally. Futures already done keep their outcome.
    /// </summary>
    public async Task CancelAsync(IReadOnlyList<Future> targets, string? reason = null, string? msg = null)
    {
        var keys = targets.Select(f => f.Key).ToList();
        // The cancel-after-result defect: what the client held when the user asked is what it cancels once the call
        // returns, even if a result arrived meanwhile.
        var captured = options.Defects.IsOn(DefectCatalogue.CancelAfterResult) ? keys.Select(k => futures.GetValueOrDefault(k)).OfType<Future>().ToList() : null;
        if (Status == ClientStatus.Running)
        {
            var request = new CancelRequest { Client = Id, Reason = reason ?? "", Msg = msg ?? "", Session = session };
            request.Keys.AddRange(keys);
            await scheduler.CancelAsync(request, deadline: host.Clock.UtcNow + options.CallTimeout);
        }

        // Submissions still buffered while connecting are never sent.
        buffered.RemoveAll(spec => keys.Contains(spec.Key));
        if (captured is not null)
        {
            foreach (var future in captured)
            {
                futures.Remove(future.Key);
                future.Cancel(reason, msg, overrideDone: true);
            }

            return;
        }

        foreach (var key in keys)
        {
            if (futures.Remove(key, out var future))
            {
                future.Cancel(reason, msg);
            }
        }
    }

    /// <summary>
    /// Waits for every future. Returns their results in order; if any was cancelled, throws one
    /// <see cref="FuturesCancelledException"/> grouping the keys by reason and message; else the first error.
    /// </summary>
    public static async Task<IReadOnlyList<long>> WaitAsync(IReadOnlyList<Future> all)
    {
        foreach (var future in all)
        {
            try
            {
                await future.ResultAsync();
            }
            catch (Exception e) when (e is OperationCanceledException or FutureErredException)
            {
                // Looked at below, once every future is done.
            }
        }

        var cancelled = all.Where(f => f.Status == FutureStatus.Cancelled).ToList();
        if (cancelled.Count > 0)
        {
            if (cancelled.Select(f => f.Exception).OfType<FutureCancelledException>().ToList() is { Count: > 0 } typed && typed.Count == cancelled.Count)
            {
                throw new FuturesCancelledException(typed);
            }

            // A bare cancellation (the bare-cancel defect) surfaces as it is.
            throw cancelled.Select(f => f.Exception).First(e => e is not FutureCancelledException)!;
        }

        if (all.FirstOrDefault(f => f.Status == FutureStatus.Error) is { } erred)
        {
            throw erred.Exception!;
        }

        return [.. all.Select(f => f.ResultAsync().Result)];
    }

    /// <summary>Asks the scheduler to restart: every client's futures are cancelled with reason <see cref="SchedulerRestart"/>.</summary>
    public async Task RestartSchedulerAsync() =>
        await scheduler.RestartAsync(new RestartRequest(), deadline: host.Clock.UtcNow + options.CallTimeout);

    /// <summary>Closes the client: the report stream ends and held futures are cancelled (reason <see cref="ClientClosed"/>).</summary>
    public void Close()
    {
        if (Status == ClientStatus.Closed)
        {
            return;
        }

        SetStatus(ClientStatus.Closed);
        Sweep(ClientClosed, ClientClosedMessage);
        buffered.Clear();
        stream?.Dispose();
        stream = null;
    }

    /// <summary>A future of this client reached its outcome.</summary>
    internal void Done(Future future, string? reason) => host.Log.Event(new FutureDone(Id, future.Key, future.Status, reason));

    private void SetStatus(ClientStatus status)
    {
        var old = Status;
        if (old == status)
        {
            return;
        }

        Status = status;
        host.Log.Event(new ClientStatusChanged(Id, old, status));
    }

    /// <summary>Cancels and forgets every held future (one generation ends).</summary>
    private void Sweep(string reason, string msg, bool bare = false)
    {
        var ended = Generation++;
        var held = futures.Values.ToList();
        foreach (var future in held)
        {
            // One at a time: each cancellation may let others run, and the client holds what is not cancelled yet —
            // its buffered submission too (a close while connecting): a cancelled future's submission is never sent.
            futures.Remove(future.Key);
            buffered.RemoveAll(spec => spec.Key == future.Key);
            future.Cancel(reason, msg, bare);
        }

        if (held.Count > 0)
        {
            host.Log.Event(new FuturesSwept(Id, reason, held.Count, ended));
        }
    }

    /// <summary>Opens the report stream and waits for its first message (StreamStart) within <paramref name="timeout"/>.</summary>
    private async Task EnsureConnectedAsync(TimeSpan timeout)
    {
        var call = scheduler.Connect(new ConnectRequest { Client = Id });
        var first = call.ResponseStream.MoveNext(CancellationToken.None);
        var timer = new CancellationTokenSource();
        // Task.WhenAny would resume on the thread pool; race the two through the process's own continuations.
        var gate = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
        _ = SignalAsync(first, gate, true);
        _ = SignalAsync(host.Clock.Delay(timeout, timer.Token), gate, false);
        if (!await gate.Task)
        {
            call.Dispose();
            await SignalAsync(first, gate, false);
            throw new SchedulerUnreachableException($"no answer from {options.Scheduler} within {timeout.TotalSeconds:F1}s");
        }

        timer.Cancel();
        try
        {
            if (!await first || call.ResponseStream.Current.KindCase != Report.KindOneofCase.StreamStart)
            {
                call.Dispose();
                throw new SchedulerUnreachableException($"{options.Scheduler} closed the report stream before it started");
            }
        }
        catch (RpcException e)
        {
            call.Dispose();
            throw new SchedulerUnreachableException($"cannot connect to {options.Scheduler}: {e.StatusCode}: {e.Status.Detail}", e);
        }

        if (Status == ClientStatus.Closed)
        {
            call.Dispose();
            return;
        }

        stream = call;
        var start = call.ResponseStream.Current.StreamStart;
        session = start.Session;
        // What was buffered belongs to this session from the moment it starts (taken before anything else may run).
        var flush = buffered.ToList();
        buffered.Clear();
        host.Log.Event(new ClientConnected(Id, start.Scheduler, start.Incarnation, session));
        SetStatus(ClientStatus.Running);
        var (generation, token) = (Generation, session);
        host.Spawn("report-stream", _ => HandleReportAsync(call));
        if (flush.Count > 0)
        {
            host.Spawn("submit", _ => SendSubmitAsync(flush, generation, token));
        }
    }

    private static async Task SignalAsync(Task task, TaskCompletionSource<bool> gate, bool value)
    {
        try
        {
            await task;
        }
        catch (Exception e) when (e is OperationCanceledException or RpcException)
        {
            // Only the order matters here; the caller looks at the task itself.
        }

        gate.TrySetResult(value);
    }

    private async Task HandleReportAsync(AsyncServerStreamingCall<Report> call)
    {
        try
        {
            while (await call.ResponseStream.MoveNext(CancellationToken.None))
            {
                if (!ReferenceEquals(stream, call))
                {
                    return;
                }

                var report = call.ResponseStream.Current;
                switch (report.KindCase)
                {
                    case Report.KindOneofCase.KeyInMemory:
                        if (futures.Remove(report.KeyInMemory.Key, out var done))
                        {
                            done.Finish(report.KeyInMemory.Result);
                        }

                        break;
                    case Report.KindOneofCase.TaskErred:
                        if (futures.Remove(report.TaskErred.Key, out var erred))
                        {
                            erred.Fail(report.TaskErred.Exception);
                        }

                        break;
                    case Report.KindOneofCase.CancelledKeys:
                        foreach (var key in report.CancelledKeys.Keys)
                        {
                            if (futures.Remove(key, out var cancelled))
                            {
                                cancelled.Cancel(report.CancelledKeys.Reason, report.CancelledKeys.Msg);
                            }
                        }

                        break;
                    case Report.KindOneofCase.Restart:
                        session = report.Restart.Session;
                        host.Log.Event(new RestartReported(Id, session));
                        Sweep(SchedulerRestart, SchedulerRestartMessage);
                        break;
                    default:
                        break;
                }
            }
        }
        catch (RpcException e)
        {
            host.Log.Event(new ReportStreamBroke(Id, e.StatusCode, e.Status.Detail));
        }

        if (ReferenceEquals(stream, call) && Status == ClientStatus.Running)
        {
            await ReconnectAsync();
        }
    }

    private async Task ReconnectAsync()
    {
        stream?.Dispose();
        stream = null;
        SetStatus(ClientStatus.Connecting);
        if (options.Defects.IsOn(DefectCatalogue.BareCancel))
        {
            Sweep(ConnectionLost, ConnectionLostMessage, bare: true);
        }
        else
        {
            Sweep(ConnectionLost, ConnectionLostMessage);
        }

        var deadline = host.Clock.Elapsed + options.ReconnectDeadline;
        while (Status == ClientStatus.Connecting)
        {
            var left = deadline - host.Clock.Elapsed;
            if (left <= TimeSpan.Zero)
            {
                host.Log.Event(new ReconnectGaveUp(Id, options.ReconnectDeadline));
                Close();
                return;
            }

            host.Log.Event(new ReconnectAttempted(Id));
            try
            {
                await EnsureConnectedAsync(left);
                return;
            }
            catch (SchedulerUnreachableException)
            {
                await host.Clock.Delay(host.Buggify(BuggifyCatalogue.ReconnectRetriesAtOnce) ? TimeSpan.Zero : options.RetryInterval);
            }
        }
    }

    /// <summary>
    /// Sends submissions until the scheduler has them or this generation ends. Submits are idempotent by key, and
    /// fenced by the session they were made in: one that arrives after a reconnect or a restart is refused.
    /// </summary>
    private async Task SendSubmitAsync(IReadOnlyList<TaskSpec> specs, int generation, string token)
    {
        var request = new SubmitRequest { Client = Id, Session = token };
        request.Tasks.AddRange(specs);
        while (Generation == generation && Status == ClientStatus.Running)
        {
            try
            {
                await scheduler.SubmitAsync(request, deadline: host.Clock.UtcNow + options.CallTimeout);
                return;
            }
            catch (RpcException e)
            {
                host.Log.Event(new SubmitFailed(Id, e.StatusCode, specs.Count == 0 ? "" : specs[0].Key));
                await host.Clock.Delay(options.RetryInterval);
            }
        }
    }
}
