using System.Globalization;
using Grpc.Core;

namespace Sim.Stack.Gateway;

/// <summary>What a request's headers say: who sends it, to which party and component, how, and under which id.</summary>
/// <param name="Source">The sending party (SourceNodeID).</param>
/// <param name="Target">The receiving party (TargetNodeID).</param>
/// <param name="Component">The target component (TargetComponentName; empty means the entry's default).</param>
/// <param name="Method">One of <see cref="GatewayMethods"/>.</param>
/// <param name="RequestId">TraceID: the request's id, the same on every hop and every retry.</param>
/// <param name="Topic">MessageTopic, for queue methods.</param>
/// <param name="Offset">MessageOffSet, for ACK_MSG.</param>
/// <param name="Hops">Gateway-to-gateway hops taken so far.</param>
public sealed record RequestHead(string Source, string Target, string Component, string Method, string RequestId, string? Topic, long? Offset, int Hops)
{
    public bool IsQueue => Method != GatewayMethods.Unary;

    /// <summary>Reads the headers; a missing or malformed one is <c>InvalidArgument</c> naming it.</summary>
    public static RequestHead Parse(IReadOnlyDictionary<string, string> metadata)
    {
        var source = Party(metadata, GatewayHeaders.SourceNodeId);
        var target = Party(metadata, GatewayHeaders.TargetNodeId);
        var method = Required(metadata, GatewayHeaders.TargetMethod);
        if (!GatewayMethods.All.Contains(method))
        {
            throw Invalid($"{GatewayHeaders.TargetMethod} '{method}' is not one of {string.Join(", ", GatewayMethods.All)}");
        }

        var id = Required(metadata, GatewayHeaders.TraceId);
        var topic = metadata.GetValueOrDefault(GatewayHeaders.MessageTopic);
        if (method != GatewayMethods.Unary && (string.IsNullOrEmpty(topic) || topic.Contains('/', StringComparison.Ordinal)))
        {
            throw Invalid($"{method} needs a {GatewayHeaders.MessageTopic} header: a non-empty name without '/'");
        }

        long? offset = null;
        if (method == GatewayMethods.Ack)
        {
            offset = long.TryParse(Required(metadata, GatewayHeaders.MessageOffset), NumberStyles.None, CultureInfo.InvariantCulture, out var o)
                ? o
                : throw Invalid($"{GatewayHeaders.MessageOffset} must be a message offset (a whole number)");
        }

        var hops = 0;
        if (metadata.TryGetValue(GatewayHeaders.HopCount, out var hopText) && !int.TryParse(hopText, NumberStyles.None, CultureInfo.InvariantCulture, out hops))
        {
            throw Invalid($"{GatewayHeaders.HopCount} must be a whole number, not '{hopText}'");
        }

        return new RequestHead(source, target, metadata.GetValueOrDefault(GatewayHeaders.TargetComponentName) ?? "", method, id, topic, offset, hops);
    }

    /// <summary>The headers of this request as the next hop must see them (the hop count raised by one).</summary>
    public void WriteNextHop(IDictionary<string, string> metadata) => metadata[GatewayHeaders.HopCount] = (Hops + 1).ToString(CultureInfo.InvariantCulture);

    public override string ToString() => $"{RequestId} {Source}->{Target}/{(Component.Length == 0 ? RouteTable.Default : Component)} {Method}";

    private static string Party(IReadOnlyDictionary<string, string> metadata, string key)
    {
        var party = Required(metadata, key);
        return RouteTableParser.IsPartyId(party) ? party : throw Invalid($"{key} must be a party id (a string of digits), not '{party}'");
    }

    private static string Required(IReadOnlyDictionary<string, string> metadata, string key) =>
        metadata.TryGetValue(key, out var value) && value.Length > 0 ? value : throw Invalid($"missing header {key}");

    private static GatewayRefusal Invalid(string detail) => new(StatusCode.InvalidArgument, detail);
}
