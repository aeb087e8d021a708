using Sim.Stack.Host;

namespace Sim.Worlds;

/// <summary>
/// The virtual network: name resolution, listeners with real bind semantics, connections that are
/// ordered reliable streams, per-link latency, frame faults, partitions and clogs. Every decision draws
/// from the world's network stream and is written to the event log with its coordinates.
/// </summary>
public sealed class Network
{
    private const string AnyAddress = "0.0.0.0";

    private readonly World world;
    private readonly Dictionary<string, string> names = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> namesBeforeMoves = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Machine> addressOwners = new(StringComparer.Ordinal);
    private readonly List<SimListener> listeners = [];
    private readonly List<Connection> connections = [];
    private readonly HashSet<(string From, string To)> cut = [];
    private readonly Dictionary<(string, string), TimeSpan> linkDownSince = [];
    private readonly Dictionary<(string From, string To), TimeSpan> cloggedUntil = [];
    private readonly Rng rng;
    private readonly List<Action<SimProcess, SimProcess, ReadOnlyMemory<byte>>> taps = [];
    private long nextConnectionId = 1;
    private int nextEphemeralPort = 40000;

    internal Network(World world, Rng rng)
    {
        this.world = world;
        this.rng = rng;
    }

    public NetworkOptions Options => world.Options.Network;

    public IReadOnlyCollection<(string From, string To)> Cuts => cut;

    /// <summary>How many directed links hold their frames now.</summary>
    public int ClogCount => cloggedUntil.Count(c => c.Value > world.Now);

    public long FramesDelivered { get; private set; }

    internal void AddMachine(Machine machine)
    {
        foreach (var address in machine.Addresses)
        {
            if (!addressOwners.TryAdd(address, machine))
            {
                throw new ArgumentException($"address {address} is already owned by machine {addressOwners[address]}");
            }
        }
    }

    /// <summary>Whether a machine owns <paramref name="address"/>.</summary>
    public bool IsAssigned(string address) => addressOwners.ContainsKey(address);

    /// <summary>Makes <paramref name="name"/> resolve to <paramref name="address"/> (the world's DNS).</summary>
    public void AddName(string name, string address) => names[name] = address;

    /// <summary>The world's DNS: every name and the address it resolves to now.</summary>
    public IReadOnlyDictionary<string, string> Names => names;

    /// <summary>The names moved by <see cref="MoveName"/> and not moved back, with the address each had before.</summary>
    public IReadOnlyDictionary<string, string> MovedNames => namesBeforeMoves;

    /// <summary>
    /// Moves <paramref name="name"/> to <paramref name="address"/> (a DNS change): new dials go there, connections
    /// already made are untouched. Returns the address it resolved to before.
    /// </summary>
    public string MoveName(string name, string address)
    {
        if (!names.TryGetValue(name, out var previous))
        {
            throw new ArgumentException($"no DNS name '{name}' to move");
        }

        var original = namesBeforeMoves.TryGetValue(name, out var first) ? first : previous;
        names[name] = address;
        if (string.Equals(original, address, StringComparison.Ordinal))
        {
            namesBeforeMoves.Remove(name);
        }
        else
        {
            namesBeforeMoves[name] = original;
        }

        return previous;
    }

    /// <summary>Every address some machine owns, in order.</summary>
    public IReadOnlyList<string> Addresses => addressOwners.Keys.Order(StringComparer.Ordinal).ToList();

    // ---- links: partitions and clogs ---------------------------------------------------------------

    public bool IsCut(Machine from, Machine to) => from != to && cut.Contains((from.Name, to.Name));

    /// <summary>The unordered pair of machines a link joins.</summary>
    private static (string, string) Link(Machine a, Machine b) =>
        string.CompareOrdinal(a.Name, b.Name) < 0 ? (a.Name, b.Name) : (b.Name, a.Name);

    /// <summary>Cuts the link from one machine to another (one direction).</summary>
    public void Cut(Machine from, Machine to)
    {
        if (from != to && cut.Add((from.Name, to.Name)))
        {
            world.Emit(new LinkCut(from.Name, to.Name), "");
            // A link is down while either direction is cut; a round trip (and so a keepalive) fails then.
            linkDownSince.TryAdd(Link(from, to), world.Now);
            foreach (var connection in connections.Where(c => c.Crosses(from, to)).ToList())
            {
                ScheduleKeepaliveCheck(connection);
            }
        }
    }

    public void Heal(Machine from, Machine to)
    {
        if (cut.Remove((from.Name, to.Name)))
        {
            world.Emit(new LinkHealed(from.Name, to.Name), "");
            if (!IsCut(to, from))
            {
                linkDownSince.Remove(Link(from, to));
            }
        }
    }

    public void HealAll()
    {
        foreach (var (from, to) in cut.OrderBy(c => c.From, StringComparer.Ordinal).ThenBy(c => c.To, StringComparer.Ordinal).ToList())
        {
            cut.Remove((from, to));
            world.Emit(new LinkHealed(from, to), "");
        }

        linkDownSince.Clear();

        foreach (var link in cloggedUntil.Keys.ToList())
        {
            cloggedUntil.Remove(link);
        }
    }

    /// <summary>Holds every frame from one machine to another until <paramref name="until"/>, then releases them in order.</summary>
    public void Clog(Machine from, Machine to, TimeSpan until)
    {
        cloggedUntil[(from.Name, to.Name)] = until;
        world.Emit(new LinkClogged(from.Name, to.Name, until), "");
    }

    // ---- binding and dialing -----------------------------------------------------------------------

    internal IListener Listen(SimProcess process, ExecutionContextOwner owner, string address, int port, TlsServerOptions? tls)
    {
        var machine = process.Machine;
        if (!owner.Alive)
        {
            throw new InvalidOperationException($"{owner} is dead");
        }

        if (address != AnyAddress && !machine.Owns(address))
        {
            world.Emit(new BindFailed(address, port, BindFailure.AddressNotOwned, machine.Name), process.Name);
            throw new AddressNotAvailableException(machine.Name, address);
        }

        var clash = listeners.FirstOrDefault(l => l.Machine == machine && l.Port == port
            && (l.Address == address || l.Address == AnyAddress || address == AnyAddress));
        if (clash is not null)
        {
            world.Emit(new BindFailed(address, port, BindFailure.PortInUse, clash.Process.Name), process.Name);
            throw new AddressInUseException(address, port);
        }

        var listener = new SimListener(this, process, owner, address, port, tls);
        listeners.Add(listener);
        world.Emit(new Listening(address, port, tls is not null), process.Name);
        return listener;
    }

    internal void Unlisten(SimListener listener)
    {
        if (listeners.Remove(listener))
        {
            world.Emit(new ListenerClosed(listener.Address, listener.Port), listener.Process.Name);
            listener.Fail();
        }
    }

    internal async Task<IConnection> DialAsync(SimProcess process, ExecutionContextOwner owner, string host, int port, TlsClientOptions? tls, CancellationToken cancellationToken)
    {
        if (!owner.Alive)
        {
            // A dead incarnation's dial never completes.
            return await new TaskCompletionSource<IConnection>().Task;
        }

        var target = $"{host}:{port}";
        var address = names.TryGetValue(host, out var resolved) ? resolved : host;
        if (!addressOwners.TryGetValue(address, out var machine))
        {
            world.Emit(new DialFailed(target, DialFailure.DoesNotResolve, process.Machine.Name), process.Name);
            throw new HostNotFoundException(host);
        }

        var from = process.Machine;
        if (IsCut(from, machine) || IsCut(machine, from))
        {
            await world.Sleep(Options.ConnectTimeout, cancellationToken, owner);
            world.Emit(new DialFailed(target, DialFailure.Unreachable, from.Name), process.Name);
            throw new HostUnreachableException(target);
        }

        // SYN / SYN-ACK.
        await world.Sleep(OneWay(from, machine) + OneWay(machine, from), cancellationToken, owner);
        var listener = listeners.FirstOrDefault(l => l.Machine == machine && l.Port == port && (l.Address == address || l.Address == AnyAddress));
        if (listener is null || !listener.Owner.Alive || IsCut(from, machine) || IsCut(machine, from))
        {
            world.Emit(new DialFailed(target, DialFailure.Refused, from.Name), process.Name);
            throw new ConnectionRefusedException(target);
        }

        var connection = new Connection(this, nextConnectionId++,
            new Endpoint(process, owner, $"{from.Addresses[0]}:{nextEphemeralPort++}"),
            new Endpoint(listener.Process, listener.Owner, $"{address}:{port}"),
            tls is not null,
            world.Now);
        connections.Add(connection);
        world.Emit(new Connected(connection.Id, connection.Client.LocalAddress, target, listener.Process.Name), process.Name);

        if (tls is null && listener.Tls is not null)
        {
            // The server waits for a ClientHello and gets plaintext: it drops the connection.
            world.Emit(new PlaintextRefused(connection.Id, process.Name), listener.Process.Name);
            Reset(connection, () => new ConnectionResetException($"{target} expects a TLS handshake; the server closed the plaintext connection"), "plaintext on a TLS port");
            throw new ConnectionResetException($"{target} expects a TLS handshake; the server closed the plaintext connection");
        }

        if (tls is not null)
        {
            await world.Sleep(OneWay(from, machine) + OneWay(machine, from), cancellationToken, owner);
            var failure = world.Tls.Handshake(connection, tls, listener.Tls, process.Machine, machine);
            if (failure is not null)
            {
                world.Emit(new TlsHandshakeFailed(connection.Id, target, failure.Failure, failure.Message), process.Name);
                Reset(connection, () => failure, "tls handshake failed");
                throw failure;
            }

            world.Emit(new TlsEstablished(connection.Id, target, connection.Client.PeerCertificate?.Subject, connection.Server.PeerCertificate?.Subject), process.Name);
            if (listener.Tls?.SessionLifetime is { } lifetime)
            {
                world.Runtime.At(world.Now + lifetime, () =>
                {
                    if (connection.IsOpen)
                    {
                        ExpireSession(connection);
                    }
                });
            }
        }

        if (!listener.Owner.Alive || !listeners.Contains(listener))
        {
            Reset(connection, () => new ConnectionRefusedException(target), "listener gone");
            throw new ConnectionRefusedException(target);
        }

        listener.Enqueue(connection.Server);
        return connection.Client;
    }

    // ---- frames ------------------------------------------------------------------------------------

    /// <summary>
    /// Calls <paramref name="tap"/> with every frame a process sends (sender, receiver, the frame's bytes), once, as it
    /// enters the wire: a scenario's privacy checker scans what crosses (a wiretap sees TLS payloads in clear, since
    /// the TLS model carries no ciphertext; what it finds is what the application put on the wire).
    /// </summary>
    public void Tap(Action<SimProcess, SimProcess, ReadOnlyMemory<byte>> tap) => taps.Add(tap);

    internal void Tapped(SimProcess from, SimProcess to, byte[] frame)
    {
        foreach (var tap in taps)
        {
            tap(from, to, frame);
        }
    }

    internal void Transmit(Endpoint from, Endpoint to, Connection connection, Segment segment)
    {
        var a = from.Process.Machine;
        var b = to.Process.Machine;
        if (IsCut(a, b))
        {
            segment.FirstLoss ??= world.Now;
            if (world.Now - segment.FirstLoss >= Options.KeepaliveTimeout)
            {
                Reset(connection, () => new ConnectionResetException("connection timed out (no route: partition)"), "partition");
                return;
            }

            world.Emit(new FrameLost($"{a}->{b}", connection.Id, segment.Sequence), "");
            world.Runtime.At(world.Now + Options.RetransmitTimeout, () =>
            {
                if (connection.IsOpen)
                {
                    Transmit(from, to, connection, segment);
                }
            });
            return;
        }

        var delay = OneWay(a, b);
        var local = a == b;
        if (!local && rng.Chance(Options.DropProbability))
        {
            world.Emit(new FrameDropped($"{a}->{b}", connection.Id, segment.Sequence, Options.RetransmitTimeout), "");
            delay += Options.RetransmitTimeout;
        }

        if (!local && rng.Chance(Options.ReorderProbability))
        {
            var extra = rng.Between(TimeSpan.Zero, Options.ReorderDelay);
            world.Emit(new FrameReordered($"{a}->{b}", connection.Id, segment.Sequence, extra), "");
            delay += extra;
        }

        var at = world.Now + delay;
        if (cloggedUntil.TryGetValue((a.Name, b.Name), out var until))
        {
            if (until > world.Now)
            {
                if (until > at)
                {
                    world.Emit(new FrameHeld($"{a}->{b}", connection.Id, segment.Sequence, until), "");
                    at = until;
                }
            }
            else
            {
                cloggedUntil.Remove((a.Name, b.Name));
            }
        }

        world.Runtime.At(at, () => Arrive(to, connection, segment));
        if (!local && rng.Chance(Options.DuplicateProbability))
        {
            world.Emit(new FrameDuplicated($"{a}->{b}", connection.Id, segment.Sequence), "");
            world.Runtime.At(at + OneWay(a, b), () => Arrive(to, connection, segment));
        }
    }

    private void Arrive(Endpoint to, Connection connection, Segment segment)
    {
        if (!connection.IsOpen)
        {
            return;
        }

        if (!to.Accept(segment))
        {
            world.Emit(new DuplicateDiscarded(connection.Id, segment.Sequence), to.Process.Name);
            return;
        }

        FramesDelivered++;
        world.Emit(new FrameDelivered(connection.Id, segment.Sequence, segment.Payload?.Length ?? 0, segment.Payload is null), to.Process.Name);
    }

    // ---- faults on connections ---------------------------------------------------------------------

    /// <summary>Breaks a connection: both ends see <paramref name="error"/> on their next receive or send.</summary>
    internal void Reset(Connection connection, Func<Exception> error, string why)
    {
        if (!connections.Remove(connection))
        {
            return;
        }

        world.Emit(new ConnectionReset(connection.Id, connection.Client.Process.Name, connection.Server.Process.Name, why), "");
        connection.Break(error);
    }

    /// <summary>Resets one established connection, chosen by the caller.</summary>
    public void ResetConnection(long id, string why)
    {
        var connection = connections.FirstOrDefault(c => c.Id == id);
        if (connection is not null)
        {
            Reset(connection, () => new ConnectionResetException(why), why);
        }
    }

    /// <summary>Connection ids, for fault injection.</summary>
    /// <summary>The listeners <paramref name="process"/>'s current incarnation holds, as <c>address:port</c>.</summary>
    public IReadOnlyList<string> ListenersOf(SimProcess process) =>
        [.. listeners.Where(l => l.Process == process && l.Owner.Alive).Select(l => $"{l.Address}:{l.Port}")];

    /// <summary>The connections not yet closed by both sides of which <paramref name="process"/> holds an end.</summary>
    public IReadOnlyList<OpenConnection> ConnectionsOf(SimProcess process) =>
        [.. connections.Where(c => (c.Client.Process == process || c.Server.Process == process) && !(c.Client.HasClosed && c.Server.HasClosed)).Select(c => new OpenConnection(
            c.Id, c.Client.Process.Name, c.Server.Process.Name, c.Tls, c.Opened, c.Client.HasClosed, c.Server.HasClosed))];

    public IReadOnlyList<long> ConnectionIds => connections.Select(c => c.Id).ToList();

    /// <summary>Fails every TLS session a process holds, as session expiry does: the peer must re-handshake.</summary>
    public void ExpireSessions(SimProcess process)
    {
        foreach (var connection in connections.Where(c => c.Tls && (c.Client.Process == process || c.Server.Process == process)).ToList())
        {
            ExpireSession(connection);
        }
    }

    internal void Closed(Connection connection) => connections.Remove(connection);

    /// <summary>The process died: its listeners close and its connections reset (the peer sees it after one trip).</summary>
    internal void ProcessDown(SimProcess process, string why)
    {
        foreach (var listener in listeners.Where(l => l.Process == process).ToList())
        {
            Unlisten(listener);
        }

        foreach (var connection in connections.Where(c => c.Client.Process == process || c.Server.Process == process).ToList())
        {
            Reset(connection, () => new ConnectionResetException($"peer process {process} {why}"), $"{process} {why}");
        }
    }

    private void ExpireSession(Connection connection) =>
        Reset(connection, () => new TlsHandshakeException(TlsFailure.SessionExpired, "TLS session expired; a new handshake is required"), "tls session expired");

    private void ScheduleKeepaliveCheck(Connection connection)
    {
        var since = world.Now;
        world.Runtime.At(since + Options.KeepaliveTimeout, () =>
        {
            // Only a link that stayed down for the whole keepalive period kills the connection; a link
            // that goes down again later schedules its own check.
            var link = Link(connection.Client.Process.Machine, connection.Server.Process.Machine);
            if (connection.IsOpen && linkDownSince.TryGetValue(link, out var down) && down <= since)
            {
                Reset(connection, () => new ConnectionResetException("connection timed out (keepalive: partition)"), "keepalive timeout");
            }
        });
    }

    private TimeSpan OneWay(Machine a, Machine b) => a == b ? Options.LoopbackLatency : Options.Latency.Sample(rng);
}
