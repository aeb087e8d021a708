using System.Security.Cryptography;
using System.Text;
using Grpc.Core;
using Sim.Stack.Host;

namespace Sim.Stack.Gateway;

/// <summary>The gateway serves: its party, port and the table version it starts with.</summary>
public sealed record GatewayServing(string Party, int Port, long Version) : SimEvent
{
    public override string Kind => "gateway.serving";

    public override string Details => $"party={Party} port={Port} table=v{Version}";
}

/// <summary>A route table went live as <paramref name="Version"/> (lookups from now on are stamped with it).</summary>
/// <param name="Source">Where it came from: <c>startup</c>, <c>cache</c> (the last applied table), <c>file</c> (a changed route_table.json) or <c>admin NAME</c>.</param>
/// <param name="Text">The route_table.json text (not printed: the line shows its digest).</param>
public sealed record RouteTableLoaded(long Version, string Source, int Parties, string Text) : SimEvent
{
    public override string Kind => "gateway.table-loaded";

    public override string Details => $"v{Version} from {Source}: {Parties} entr{(Parties == 1 ? "y" : "ies")} sha256={Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(Text)))[..12]}";
}

/// <summary>A route table was refused; the gateway keeps serving the one it had.</summary>
public sealed record RouteTableRejected(string Source, string Error, long Serving) : SimEvent
{
    public override string Kind => "gateway.table-rejected";

    public override string Details => $"from {Source}: {Error} (still serving v{Serving})";
}

/// <summary>The rate limiter's decision on a request from <paramref name="Source"/> (one token per request).</summary>
public sealed record RateDecision(string RequestId, string Source, bool Admitted) : SimEvent
{
    public override string Kind => "gateway.rate";

    public override string Details => $"{RequestId} from party {Source}: {(Admitted ? "admitted" : "refused")}";
}

/// <summary>A lookup chose where a request goes: a component of the gateway's own party, or the next gateway.</summary>
/// <param name="Hops">Gateway-to-gateway hops the request had taken when it arrived.</param>
/// <param name="Version">The table version the lookup used.</param>
/// <param name="Path">The table path of the route (<c>route_table.10000.default</c>).</param>
/// <param name="Endpoint">The endpoint chosen, <c>host:port</c>.</param>
/// <param name="ToGateway">True when it goes to another gateway (a hop), false for a local component.</param>
/// <param name="Attempt">Which try this is (1 for the first).</param>
public sealed record RequestRouted(string RequestId, string Source, string Target, string Component, string Method, int Hops, long Version, string Path, string Endpoint, bool ToGateway, int Attempt) : SimEvent
{
    public override string Kind => "gateway.routed";

    public override string Details => $"{RequestId} {Source}->{Target}/{Component} {Method} hops={Hops} v{Version} {Path} -> {(ToGateway ? "gateway" : "component")} {Endpoint}{(Attempt > 1 ? $" try {Attempt}" : "")}";
}

/// <summary>A request failed at this gateway: refused by it, or (<paramref name="FromNextHop"/>) failed further on; the caller sees this status.</summary>
public sealed record RequestRefused(string RequestId, string Source, string Target, string Method, StatusCode Status, string Detail, bool FromNextHop) : SimEvent
{
    public override string Kind => "gateway.refused";

    public override string Details => $"{RequestId} {Source}->{Target} {Method}: {Status}: {Detail}{(FromNextHop ? " (from the next hop)" : "")}";
}

/// <summary>A try of a forward failed; another follows after the retry delay.</summary>
public sealed record ForwardRetried(string RequestId, string Endpoint, int Attempt, StatusCode Status, string Detail) : SimEvent
{
    public override string Kind => "gateway.retry";

    public override string Details => $"{RequestId} to {Endpoint} try {Attempt} failed: {Status}: {Detail}";
}

/// <summary>A unary call arrived again (a retry) and was answered without running the component a second time.</summary>
public sealed record DuplicateSuppressed(string RequestId, string Outcome) : SimEvent
{
    public override string Kind => "gateway.duplicate";

    public override string Details => $"{RequestId}: {Outcome}";
}

/// <summary>A produced message is durable in its topic (the producer is acknowledged after this).</summary>
public sealed record MessageStored(string Topic, long Offset, string MessageId, string Source) : SimEvent
{
    public override string Kind => "gateway.stored";

    public override string Details => $"{Topic}@{Offset} {MessageId} from {Source}";
}

/// <summary>A message was handed to a consumer (<paramref name="Delivery"/> counts the deliveries of this offset in this incarnation).</summary>
public sealed record MessageDelivered(string Topic, long Offset, string MessageId, int Delivery) : SimEvent
{
    public override string Kind => "gateway.delivered";

    public override string Details => $"{Topic}@{Offset} {MessageId}{(Delivery > 1 ? $" (delivery {Delivery})" : "")}";
}

/// <summary>A consumer's acknowledgement is durable: the message is never delivered again.</summary>
public sealed record MessageAcked(string Topic, long Offset) : SimEvent
{
    public override string Kind => "gateway.acked";

    public override string Details => $"{Topic}@{Offset}";
}

/// <summary>A topic's durable state as a restarted gateway found it on disk.</summary>
/// <param name="Messages">Every durable message: offset → message id.</param>
/// <param name="Acked">The offsets acknowledged durably.</param>
public sealed record QueueRecovered(string Topic, IReadOnlyDictionary<long, string> Messages, IReadOnlySet<long> Acked) : SimEvent
{
    public override string Kind => "gateway.queue-recovered";

    public override string Details => $"{Topic}: {Messages.Count} message(s), {Acked.Count} acknowledged";
}
