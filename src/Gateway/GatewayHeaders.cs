namespace Sim.Stack.Gateway;

/// <summary>
/// The request headers, under OSX's names (its <c>Osx.Header</c> and <c>Osx.Metadata</c> enums), carried in
/// <c>Inbound.metadata</c>; plus <see cref="HopCount"/>, which this gateway adds to bound forwarding.
/// </summary>
public static class GatewayHeaders
{
    public const string SourceNodeId = "SourceNodeID";
    public const string TargetNodeId = "TargetNodeID";
    public const string SourceComponentName = "SourceComponentName";
    public const string TargetComponentName = "TargetComponentName";
    public const string TargetMethod = "TargetMethod";
    public const string TraceId = "TraceID";
    public const string SessionId = "SessionID";
    public const string MessageTopic = "MessageTopic";
    public const string MessageOffset = "MessageOffSet";

    /// <summary>Gateway-to-gateway hops the request has taken so far (absent: none).</summary>
    public const string HopCount = "HopCount";

    /// <summary>Set on a reply by the gateway that served it from its own party: the party that answered.</summary>
    public const string ServedBy = "ServedBy";
}

/// <summary>The values of <see cref="GatewayHeaders.TargetMethod"/>.</summary>
public static class GatewayMethods
{
    /// <summary>A unary call to the target party's component.</summary>
    public const string Unary = "UNARY_CALL";

    /// <summary>Appends a message to a topic kept by the target party's gateway.</summary>
    public const string Produce = "PRODUCE_MSG";

    /// <summary>Takes the head of a topic of the gateway's own party (the consumer's own gateway).</summary>
    public const string Consume = "CONSUME_MSG";

    /// <summary>Acknowledges a consumed message by its offset.</summary>
    public const string Ack = "ACK_MSG";

    public static IReadOnlyList<string> All { get; } = [Unary, Produce, Consume, Ack];
}
