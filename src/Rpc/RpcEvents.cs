using Grpc.Core;
using Sim.Stack.Host;

namespace Sim.Stack.Rpc;

/// <summary>A call this process made finished, with its final status (the client side).</summary>
/// <param name="Method">The full method name, <c>/package.Service/Method</c>.</param>
/// <param name="Target">The channel's target, <c>host:port</c>.</param>
/// <param name="Status">The final status code.</param>
/// <param name="Detail">The status detail (empty when OK).</param>
public sealed record RpcCompleted(string Method, string Target, StatusCode Status, string Detail) : SimEvent
{
    public override string Kind => "rpc.done";

    /// <summary>When the call started (the process's monotonic clock): checkers judge what happened while it was in flight.</summary>
    public TimeSpan Started { get; init; }

    public bool Ok => Status == StatusCode.OK;

    public override string Details => $"{Method} -> {Target} status={Status}{(Ok ? "" : " " + Detail)}";
}

/// <summary>A call reached this process's server and its handler starts (the server side; <see cref="RpcHandled"/> ends it).</summary>
/// <param name="Method">The full method name.</param>
/// <param name="Stream">The call's stream id on its connection.</param>
public sealed record RpcAccepted(string Method, long Stream) : SimEvent
{
    public override string Kind => "rpc.accepted";

    public override string Details => $"{Method} stream={Stream}";
}

/// <summary>A call this process served finished, with the status it sent (the server side).</summary>
/// <param name="Stream">The call's stream id on its connection.</param>
public sealed record RpcHandled(string Method, long Stream, StatusCode? Status) : SimEvent
{
    public override string Kind => "rpc.handled";

    public bool Ok => Status == StatusCode.OK;

    public override string Details => $"{Method} stream={Stream} status={Status}";
}

/// <summary>A handler threw something other than an <see cref="RpcException"/>: the caller gets <c>Unknown</c>.</summary>
public sealed record RpcHandlerThrew(string Method, string Error, string Message) : SimEvent
{
    public override string Kind => "rpc.handler-threw";

    public override string Details => $"{Method}: {Error}: {Message}";
}
