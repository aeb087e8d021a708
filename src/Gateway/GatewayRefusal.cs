using Grpc.Core;

namespace Sim.Stack.Gateway;

/// <summary>A refusal decided by this gateway (a rule, a missing route, a malformed header), as opposed to a status passed back from the next hop.</summary>
public sealed class GatewayRefusal(StatusCode status, string detail) : RpcException(new Status(status, detail));
