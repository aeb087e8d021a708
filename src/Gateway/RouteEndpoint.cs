namespace Sim.Stack.Gateway;

/// <summary>How a route's endpoint is reached (route_table.json's <c>protocol</c>).</summary>
public enum RouteProtocol
{
    /// <summary>gRPC to <c>ip</c>:<c>port</c> (the default).</summary>
    Grpc,

    /// <summary>HTTP/1.1 to <c>url</c> (OSX's queue transfer over http).</summary>
    Http,
}

/// <summary>
/// One endpoint of a route, as route_table.json gives it: <c>ip</c>, <c>port</c>, <c>protocol</c>, <c>url</c> (required
/// for http), <c>useSSL</c>, the TLS files <c>caFile</c>, <c>certChainFile</c>, <c>privateKeyFile</c>, and
/// <c>hostname</c> (the name the peer's certificate must carry; the ip when absent).
/// </summary>
public sealed record RouteEndpoint(
    string Host,
    int Port,
    RouteProtocol Protocol,
    string? Url,
    bool UseSsl,
    string? CaFile,
    string? CertChainFile,
    string? PrivateKeyFile,
    string? Hostname)
{
    /// <summary>The name TLS verifies the peer's certificate against.</summary>
    public string ServerName => Hostname ?? Host;

    /// <summary><c>host:port</c>, as the event log names the endpoint.</summary>
    public string Address => $"{Host}:{Port}";

    public override string ToString() => Protocol == RouteProtocol.Http ? $"http {Url}" : $"grpc {Address}{(UseSsl ? $" tls {ServerName}" : "")}";
}
