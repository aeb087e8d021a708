using Sim.Stack.Host;

namespace Sim.Stack.Cluster;

/// <summary>A port an actor may expose on its party's advertised address: the methods the head's proxy forwards on it, and the TLS the proxy serves them with (the actor's own, so callers see the same trust).</summary>
public sealed record ForwardedPort(IReadOnlyList<string> Methods, TlsServerOptions Tls);
