using Grpc.Core;
using Sim.Stack.Host;

namespace Sim.Scenarios.Gateway;

/// <summary>What an application of a party asked for: a unary call to a component, or a message produced to a topic.</summary>
/// <param name="Id">The request id (TraceID; the message id of a produce).</param>
/// <param name="Produce">True for a message, false for a unary call.</param>
/// <param name="What">The component called, or the topic produced to.</param>
/// <param name="Seq">The message's place among this producer's messages to that topic (0 for calls).</param>
public sealed record AppRequestSent(string Id, string Source, string Target, bool Produce, string What, long Seq) : SimEvent
{
    public override string Kind => "app.sent";

    public override string Details => $"{Id} {(Produce ? "produce" : "call")} {Source}->{Target}/{What}{(Produce ? $" #{Seq}" : "")}";
}

/// <summary>How an application's request ended, as the application saw it.</summary>
/// <param name="ServedBy">The party whose gateway answered (ServedBy header), when it succeeded.</param>
/// <param name="Reply">The component's reply text for a call, the offset for a produce.</param>
public sealed record AppRequestDone(string Id, StatusCode Status, string Detail, string? ServedBy, string Reply) : SimEvent
{
    public override string Kind => "app.done";

    public override string Details => Status == StatusCode.OK ? $"{Id} OK from {ServedBy}: {Reply}" : $"{Id} {Status}: {Detail}";
}

/// <summary>A component ran a request (a job service: not idempotent).</summary>
/// <param name="Party">The component's own party.</param>
/// <param name="Target">The request's TargetNodeID.</param>
public sealed record JobExecuted(string RequestId, string Party, string Target, string Source) : SimEvent
{
    public override string Kind => "job.executed";

    public override string Details => $"{RequestId} for party {Target} from {Source} (I am party {Party})";
}

/// <summary>A consumer processed a message (once per offset: a redelivered offset is acknowledged again, not processed).</summary>
/// <param name="Body">The message's body as the consumer read it.</param>
public sealed record MessageProcessed(string Topic, long Offset, string MessageId, string Party, string Body) : SimEvent
{
    public override string Kind => "consumer.processed";

    public override string Details => $"{Topic}@{Offset} {MessageId} at party {Party}";
}

/// <summary>What a security probe expects: refused with exactly this status and detail, let through, or never served at all.</summary>
/// <param name="Status">The refusal's status, when refused.</param>
/// <param name="Detail">The refusal's exact detail (null: only its start, <see cref="DetailPrefix"/>, is fixed).</param>
/// <param name="DetailPrefix">How the refusal's detail must start, when the exact text is not fixed.</param>
/// <param name="Admitted">The rules let it through: no refusal by a rule (faults may still fail it).</param>
/// <param name="NeverServed">No gateway may even see it (TLS refuses it first), and it must fail.</param>
public sealed record ProbeExpectation(StatusCode? Status = null, string? Detail = null, string? DetailPrefix = null, bool Admitted = false, bool NeverServed = false)
{
    public static ProbeExpectation Refused(StatusCode status, string detail) => new(status, detail);

    public static ProbeExpectation RefusedStartingWith(StatusCode status, string prefix) => new(status, DetailPrefix: prefix);

    public static ProbeExpectation LetThrough { get; } = new(Admitted: true);

    public static ProbeExpectation NotServed { get; } = new(NeverServed: true);

    public override string ToString() =>
        NeverServed ? "never served" : Admitted ? "let through" : $"refused {Status}: {Detail ?? DetailPrefix + "..."}";
}

/// <summary>A hostile party or administrator tried something, expecting <paramref name="Expect"/>.</summary>
public sealed record ProbeSent(string Id, string Probe, string Gateway, ProbeExpectation Expect) : SimEvent
{
    public override string Kind => "probe.sent";

    public override string Details => $"{Id} {Probe} at {Gateway}, expects {Expect}";
}

/// <summary>How a probe ended.</summary>
public sealed record ProbeDone(string Id, StatusCode Status, string Detail) : SimEvent
{
    public override string Kind => "probe.done";

    public override string Details => $"{Id} {Status}{(Detail.Length > 0 ? ": " + Detail : "")}";
}

/// <summary>A client read a reply that does not say what the protocol says it must (OSX's code, message and headers).</summary>
public sealed record MalformedReply(string Id, string Problem) : SimEvent
{
    public override string Kind => "app.malformed-reply";

    public override string Details => $"{Id}: {Problem}";
}

/// <summary>A consumer's CONSUME_MSG or ACK_MSG ended: with a message, empty after <paramref name="Waited"/>, or failed.</summary>
/// <param name="Empty">The gateway answered that no message came within its wait.</param>
/// <param name="Gateway">The gateway process it asked.</param>
public sealed record ConsumeEnded(string Gateway, string Topic, string Method, bool Empty, TimeSpan Waited, StatusCode Status, string Detail) : SimEvent
{
    public override string Kind => "consumer.ended";

    public override string Details => $"{Method} {Topic}: {(Status != StatusCode.OK ? $"{Status}: {Detail}" : Empty ? "no message" : "ok")} after {Waited.TotalSeconds:F3}s";
}
