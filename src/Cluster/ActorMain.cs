using Sim.Stack.Host;

namespace Sim.Stack.Cluster;

/// <summary>
/// An actor class's code, run by the node agent the head placed it on, in the agent's process (on its machine): what it
/// returns is the actor's result; an <see cref="ActorFailure"/> fails it with its kind and cause; any other exception
/// fails it as <c>actor-error</c>.
/// </summary>
public delegate Task<byte[]> ActorMain(IHost host, ActorContext context);

/// <summary>What a running actor knows of itself.</summary>
/// <param name="ActorId">Its id (unique per creation).</param>
/// <param name="Machine">The machine it runs on.</param>
/// <param name="Address">That machine's address: the one address the actor can bind.</param>
/// <param name="Args">Its arguments, as the driver gave them.</param>
/// <param name="Stopped">Fires when the node stops it (the node lost its head).</param>
public sealed record ActorContext(string ActorId, string Machine, string Address, ReadOnlyMemory<byte> Args, CancellationToken Stopped);

/// <summary>An actor's failure, with its kind (a short word checkers and drivers branch on) and its cause.</summary>
public sealed class ActorFailure(string kind, string cause) : Exception(cause)
{
    public string ErrorKind { get; } = kind;
}
