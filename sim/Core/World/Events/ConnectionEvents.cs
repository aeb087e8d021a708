using Sim.Stack.Host;

namespace Sim.Worlds;

/// <summary>A process bound a listener (its subject is the process).</summary>
public sealed record Listening(string Address, int Port, bool Tls) : SimEvent
{
    public override string Kind => "net.listen";

    public override string Details => $"{Address}:{Port}{(Tls ? " tls" : "")}";
}

/// <summary>A listener closed (its process closed it or died).</summary>
public sealed record ListenerClosed(string Address, int Port) : SimEvent
{
    public override string Kind => "net.unlisten";

    public override string Details => $"{Address}:{Port}";
}

/// <summary>Why a bind failed.</summary>
public enum BindFailure
{
    /// <summary>The machine does not own the address.</summary>
    AddressNotOwned,

    /// <summary>Another listener holds the port.</summary>
    PortInUse,
}

/// <summary>A bind failed (its subject is the process that tried).</summary>
/// <param name="By">The machine that does not own the address, or the process holding the port.</param>
public sealed record BindFailed(string Address, int Port, BindFailure Failure, string By) : SimEvent
{
    public override string Kind => "net.bind-failed";

    public override string Details => $"{Address}:{Port} {(Failure == BindFailure.PortInUse ? "in use by" : "not owned by")} {By}";
}

/// <summary>Why a dial failed before any handshake.</summary>
public enum DialFailure
{
    /// <summary>The name resolves to no address, or the address to no machine.</summary>
    DoesNotResolve,

    /// <summary>The link is cut: the dial timed out.</summary>
    Unreachable,

    /// <summary>Nothing listens there (or the link broke during the handshake).</summary>
    Refused,
}

/// <summary>A dial failed (its subject is the dialing process).</summary>
/// <param name="Target">What was dialed, <c>host:port</c>.</param>
/// <param name="From">The dialing machine.</param>
public sealed record DialFailed(string Target, DialFailure Failure, string From) : SimEvent
{
    public override string Kind => "net.dial-failed";

    public override string Details => Failure switch
    {
        DialFailure.DoesNotResolve => $"{Target} does not resolve",
        DialFailure.Unreachable => $"{Target} unreachable from {From}",
        _ => $"{Target} refused",
    };
}

/// <summary>A connection was established (its subject is the dialing process).</summary>
/// <param name="Connection">The connection's id.</param>
/// <param name="Local">The client's address and ephemeral port.</param>
/// <param name="Target">What was dialed, <c>host:port</c>.</param>
/// <param name="Server">The process that accepted it.</param>
public sealed record Connected(long Connection, string Local, string Target, string Server) : SimEvent
{
    public override string Kind => "net.connect";

    public override string Details => $"conn={Connection} {Local}->{Target} ({Server})";
}

/// <summary>A connection broke: both ends see an error on their next receive or send (its subject is <c>conn=N</c>).</summary>
/// <param name="Client">The dialing process.</param>
/// <param name="Server">The accepting process.</param>
/// <param name="Why">Why: a partition, a process down, a fault injector, a TLS session expiring.</param>
public sealed record ConnectionReset(long Connection, string Client, string Server, string Why) : SimEvent
{
    public override string Kind => "net.reset";

    public override string Subject => $"conn={Connection}";

    public override string Details => $"{Client}<->{Server} ({Why})";
}
