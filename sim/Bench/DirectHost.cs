#pragma warning disable RS0030 // The floor of the scheduling benchmark runs on the real thread pool on purpose.
using System.Collections.Concurrent;
using Sim.Stack.Host;

namespace Sim.Bench;

/// <summary>
/// The host seam with no simulation under it: continuations run on the thread pool (serialized per
/// process, as the stack expects), delays complete at once, the network is in-memory queues with no
/// latency or faults. The same workload on it is the floor the loop engine is compared with.
/// </summary>
internal sealed class DirectHost : IHost, IClock, IRandomSource, IDisk, ILog
{
    private readonly DirectNetwork network;
    private readonly ProcessContext context;
    private readonly ConcurrentDictionary<string, byte[]> disk = new(StringComparer.Ordinal);
    private ulong state;

    public DirectHost(string name, DirectNetwork network, CancellationToken lifetime)
    {
        Name = name;
        this.network = network;
        Lifetime = lifetime;
        context = new ProcessContext();
        state = (ulong)name.GetHashCode(StringComparison.Ordinal) | 1;
        Network = new Facade(this);
    }

    public string Name { get; }

    public string Machine => Name;

    public int Incarnation => 1;

    public IClock Clock => this;

    public IRandomSource Random => this;

    public INetwork Network { get; }

    public IDisk Disk => this;

    public ILog Log => this;

    public CancellationToken Lifetime { get; }

    public DateTime UtcNow => DateTime.UtcNow;

    public TimeSpan Elapsed => TimeSpan.Zero;

    /// <summary>Runs <paramref name="action"/> inside the process's serialized context.</summary>
    public void Post(Action action) => context.Post(_ => action(), null);

    public void Spawn(string name, Func<CancellationToken, Task> loop) => context.Post(_ => _ = loop(Lifetime), null);

    /// <summary>Timers that take real time (deadlines, retry pauses) instead of completing at once.</summary>
    public bool RealTimers { get; init; }

    public Task Delay(TimeSpan delay, CancellationToken cancellationToken = default)
    {
        if (RealTimers && delay > TimeSpan.Zero)
        {
            return Task.Delay(delay, cancellationToken);
        }

        var tcs = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        tcs.SetResult();
        return tcs.Task;
    }

    public ulong NextUInt64() => state = state * 6364136223846793005UL + 1442695040888963407UL;

    public int Next(int maxExclusive) => (int)((NextUInt64() >> 33) % (ulong)maxExclusive);

    public double NextDouble() => (NextUInt64() >> 11) * (1.0 / (1UL << 53));

    public void NextBytes(Span<byte> buffer)
    {
        for (var i = 0; i < buffer.Length; i++)
        {
            buffer[i] = (byte)NextUInt64();
        }
    }

    public void Write(string key, ReadOnlySpan<byte> value) => disk[key] = value.ToArray();

    public void Delete(string key) => disk.TryRemove(key, out _);

    public byte[]? Read(string key) => disk.TryGetValue(key, out var v) ? v : null;

    public IReadOnlyList<string> Keys(string prefix) => disk.Keys.Where(k => k.StartsWith(prefix, StringComparison.Ordinal)).ToList();

    public Task FlushAsync(CancellationToken cancellationToken = default) => Task.CompletedTask;

    public void Event(SimEvent evt)
    {
    }

    public void Info(string evt, string details)
    {
    }

    public void Warn(string evt, string details)
    {
    }

    /// <summary>Serializes a process's continuations on the thread pool.</summary>
    private sealed class ProcessContext : SynchronizationContext
    {
        private readonly TaskScheduler exclusive = new ConcurrentExclusiveSchedulerPair().ExclusiveScheduler;

        public override void Post(SendOrPostCallback d, object? state) =>
            Task.Factory.StartNew(() =>
            {
                SetSynchronizationContext(this);
                d(state);
            }, CancellationToken.None, TaskCreationOptions.DenyChildAttach, exclusive);

        public override SynchronizationContext CreateCopy() => this;
    }

    private sealed class Facade(DirectHost host) : INetwork
    {
        public IListener Listen(string address, int port, TlsServerOptions? tls = null) => host.network.Listen(host.Name, port);

        public Task<IConnection> DialAsync(string target, int port, TlsClientOptions? tls = null, CancellationToken cancellationToken = default) =>
            Task.FromResult(host.network.Dial(target, port, tls?.ClientCertificate));
    }
}

/// <summary>In-memory, thread-safe, latency-free sockets for <see cref="DirectHost"/>.</summary>
internal sealed class DirectNetwork
{
    private readonly ConcurrentDictionary<(string, int), DirectListener> listeners = new();
    private readonly Dictionary<string, string> aliases;

    public DirectNetwork(Dictionary<string, string> aliases)
    {
        this.aliases = aliases;
    }

    public IListener Listen(string host, int port)
    {
        var listener = new DirectListener(port);
        listeners[(host, port)] = listener;
        return listener;
    }

    /// <summary>Connects; the server end sees <paramref name="clientCertificate"/> as its peer's (no handshake is modelled).</summary>
    public IConnection Dial(string target, int port, Certificate? clientCertificate = null)
    {
        if (!listeners.TryGetValue((aliases.TryGetValue(target, out var name) ? name : target, port), out var listener))
        {
            throw new ConnectionRefusedException($"{target}:{port}");
        }

        var (client, server) = DirectEndpoint.Pair();
        if (clientCertificate is { } c)
        {
            server.PeerCertificate = new PeerCertificate(c.Subject, c.DnsNames, c.Issuer, c.Serial);
        }

        listener.Enqueue(server);
        return client;
    }

    private sealed class DirectListener(int port) : IListener
    {
        private readonly Queue<IConnection> backlog = new();
        private TaskCompletionSource<IConnection>? waiter;

        public string Address => "0.0.0.0";

        public int Port => port;

        public void Enqueue(IConnection connection)
        {
            TaskCompletionSource<IConnection>? w;
            lock (backlog)
            {
                w = waiter;
                waiter = null;
                if (w is null)
                {
                    backlog.Enqueue(connection);
                }
            }

            w?.TrySetResult(connection);
        }

        public Task<IConnection> AcceptAsync(CancellationToken cancellationToken = default)
        {
            lock (backlog)
            {
                if (backlog.TryDequeue(out var c))
                {
                    return Task.FromResult(c);
                }

                waiter = new TaskCompletionSource<IConnection>(TaskCreationOptions.RunContinuationsAsynchronously);
                cancellationToken.Register(w => ((TaskCompletionSource<IConnection>)w!).TrySetCanceled(), waiter);
                return waiter.Task;
            }
        }

        public void Dispose()
        {
        }
    }

    private sealed class DirectEndpoint : IConnection
    {
        private readonly Queue<ReadOnlyMemory<byte>?> inbox = new();
        private readonly CancellationTokenSource closed = new();
        private TaskCompletionSource<ReadOnlyMemory<byte>?>? waiter;
        private DirectEndpoint? peer;

        public string Remote => "direct";

        public PeerCertificate? PeerCertificate { get; set; }

        public bool IsSecure => false;

        public CancellationToken Closed => closed.Token;

        public static (DirectEndpoint, DirectEndpoint) Pair()
        {
            var a = new DirectEndpoint();
            var b = new DirectEndpoint();
            a.peer = b;
            b.peer = a;
            return (a, b);
        }

        public void Send(ReadOnlyMemory<byte> frame) => peer!.Deliver(frame.ToArray());

        public Task<ReadOnlyMemory<byte>?> ReceiveAsync(CancellationToken cancellationToken = default)
        {
            lock (inbox)
            {
                if (inbox.TryDequeue(out var frame))
                {
                    return Task.FromResult(frame);
                }

                waiter = new TaskCompletionSource<ReadOnlyMemory<byte>?>(TaskCreationOptions.RunContinuationsAsynchronously);
                cancellationToken.Register(w => ((TaskCompletionSource<ReadOnlyMemory<byte>?>)w!).TrySetCanceled(), waiter);
                return waiter.Task;
            }
        }

        public void Dispose()
        {
            closed.Cancel();
            peer?.Deliver(null);
        }

        private void Deliver(ReadOnlyMemory<byte>? frame)
        {
            TaskCompletionSource<ReadOnlyMemory<byte>?>? w;
            lock (inbox)
            {
                w = waiter;
                waiter = null;
                if (w is null)
                {
                    inbox.Enqueue(frame);
                }
            }

            w?.TrySetResult(frame);
        }
    }
}
