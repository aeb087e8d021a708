using System.Globalization;
using Google.Protobuf;
using Grpc.Core;
using Sim.Stack.Gateway.Contracts;
using Sim.Stack.Host;
using Sim.Stack.Rpc;

namespace Sim.Stack.Gateway;

/// <summary>
/// What a party's application uses to reach other parties: every call goes to its own site's gateway with the
/// headers filled in (source = the application's party). Errors are the gateway's statuses, as <see cref="RpcException"/>.
/// </summary>
public sealed class GatewayClient(IHost host, string gatewayHost, int port, TlsClientOptions? tls, string party)
{
    private readonly Contracts.Gateway.GatewayClient gateway = new(new RpcChannel(host, gatewayHost, port, tls));

    /// <summary>The party this application belongs to (every request's SourceNodeID).</summary>
    public string Party => party;

    /// <summary>A unary call to <paramref name="component"/> of party <paramref name="target"/>.</summary>
    public Task<Outbound> CallAsync(string target, string component, string requestId, ByteString payload, TimeSpan timeout, CancellationToken cancellationToken = default) =>
        InvokeAsync(Headers(target, GatewayMethods.Unary, requestId, component), payload, timeout, cancellationToken);

    /// <summary>Appends a message to <paramref name="topic"/> at party <paramref name="target"/>; returns its offset once it is durable there.</summary>
    public async Task<long> ProduceAsync(string target, string topic, string messageId, ByteString body, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        var headers = Headers(target, GatewayMethods.Produce, messageId);
        headers[GatewayHeaders.MessageTopic] = topic;
        var message = new QueueMessage { MsgId = messageId, Body = body };
        return Offset(await InvokeAsync(headers, message.ToByteString(), timeout, cancellationToken));
    }

    /// <summary>The head of one of this party's topics, or null when none came within the gateway's wait.</summary>
    public async Task<QueueMessage?> ConsumeAsync(string topic, string requestId, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        var headers = Headers(party, GatewayMethods.Consume, requestId);
        headers[GatewayHeaders.MessageTopic] = topic;
        headers[GatewayHeaders.MessageOffset] = "-1";
        var reply = await InvokeAsync(headers, ByteString.Empty, timeout, cancellationToken);
        return reply.Code == "0" ? QueueMessage.Parser.ParseFrom(reply.Payload) : null;
    }

    /// <summary>Acknowledges the message at <paramref name="offset"/> of one of this party's topics.</summary>
    public async Task AckAsync(string topic, long offset, string requestId, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        var headers = Headers(party, GatewayMethods.Ack, requestId);
        headers[GatewayHeaders.MessageTopic] = topic;
        headers[GatewayHeaders.MessageOffset] = offset.ToString(CultureInfo.InvariantCulture);
        await InvokeAsync(headers, ByteString.Empty, timeout, cancellationToken);
    }

    /// <summary>Replaces the gateway's route table (an administrator's call); returns the version it serves now.</summary>
    public async Task<long> SetRouteTableAsync(string json, TimeSpan timeout, CancellationToken cancellationToken = default) =>
        (await gateway.SetRouteTableAsync(new RouteTableRequest { Data = json }, deadline: host.Clock.UtcNow + timeout, cancellationToken: cancellationToken)).Version;

    /// <summary>Sends a request with exactly these headers.</summary>
    public async Task<Outbound> InvokeAsync(IDictionary<string, string> headers, ByteString payload, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        var request = new Inbound { Payload = payload };
        request.Metadata.Add(headers);
        return await gateway.InvokeAsync(request, deadline: host.Clock.UtcNow + timeout, cancellationToken: cancellationToken);
    }

    /// <summary>The headers of a request from this application's party.</summary>
    public Dictionary<string, string> Headers(string target, string method, string requestId, string component = "") => new(StringComparer.Ordinal)
    {
        [GatewayHeaders.SourceNodeId] = party,
        [GatewayHeaders.TargetNodeId] = target,
        [GatewayHeaders.TargetComponentName] = component,
        [GatewayHeaders.TargetMethod] = method,
        [GatewayHeaders.TraceId] = requestId,
        [GatewayHeaders.SessionId] = host.Name,
    };

    private static long Offset(Outbound reply) =>
        long.Parse(reply.Metadata[GatewayHeaders.MessageOffset], CultureInfo.InvariantCulture);
}
