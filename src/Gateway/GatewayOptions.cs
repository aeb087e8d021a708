using Sim.Stack.Defects;
using Sim.Stack.Host;

namespace Sim.Stack.Gateway;

/// <summary>How one site gateway runs. Numbers default to upstream's (OSX: 3 tries 100 ms apart) or to the scenario's scale.</summary>
/// <param name="Party">The gateway's own party id (OSX's <c>self.party</c>), or <c>default</c> for an exchange.</param>
/// <param name="ListenAddress">The address to bind.</param>
/// <param name="Port">The port to bind (OSX's <c>grpc.port</c>, 9370 upstream).</param>
/// <param name="ServerTls">The server's TLS settings (with client trust for mTLS); null serves plaintext, and then every caller counts as the gateway's own party.</param>
/// <param name="DialTls">How the gateway dials a peer whose endpoint says <c>useSSL</c>, given the name to verify (with its own certificate for mTLS).</param>
/// <param name="Parties">Certificate names → the party each speaks for: peer gateways, the gateway's own applications (its own party), exchanges (<c>default</c>).</param>
/// <param name="Admins">Certificate names allowed to replace the route table (SetRouteTable).</param>
/// <param name="Defects">The defect switches on for this run.</param>
public sealed record GatewayOptions(
    string Party,
    string ListenAddress,
    int Port,
    TlsServerOptions? ServerTls,
    Func<string, TlsClientOptions?> DialTls,
    IReadOnlyDictionary<string, string> Parties,
    IReadOnlyCollection<string> Admins,
    DefectSet Defects)
{
    /// <summary>Where the route table lives on the gateway's disk (OSX: conf/broker/route_table.json).</summary>
    public string RouteTableKey { get; init; } = "conf/broker/route_table.json";

    /// <summary>The last table the gateway applied, served at start when route_table.json is missing or invalid.</summary>
    public string AppliedTableKey { get; init; } = "conf/broker/route_table.applied";

    /// <summary>Names and addresses that reach this gateway itself: a route to one of them (on <see cref="Port"/>) is a loop.</summary>
    public IReadOnlyCollection<string> SelfNames { get; init; } = [];

    /// <summary>How often route_table.json is read for changes (OSX's file data source polls it); null: never (admin pushes only).</summary>
    public TimeSpan? ReloadInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Tries per gateway-to-gateway forward (upstream: 3).</summary>
    public int Tries { get; init; } = 3;

    /// <summary>Pause between two tries (upstream: 100 ms).</summary>
    public TimeSpan RetryDelay { get; init; } = TimeSpan.FromMilliseconds(100);

    /// <summary>Deadline of one try, cut to the caller's own deadline when that comes first.</summary>
    public TimeSpan CallTimeout { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>At most this many gateway-to-gateway hops per request (two: through one exchange).</summary>
    public int MaxHops { get; init; } = 2;

    /// <summary>Connections (channels) kept per endpoint.</summary>
    public int PoolSize { get; init; } = 2;

    /// <summary>Requests per second each source party may send through this gateway (a token bucket); null: no limit.</summary>
    public int? RatePerSecond { get; init; } = 20;

    /// <summary>The bucket's size: how many requests a party may send at once.</summary>
    public int Burst { get; init; } = 20;

    /// <summary>How long a consumed message stays invisible before it is delivered again unless acknowledged.</summary>
    public TimeSpan VisibilityTimeout { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>Longest a CONSUME_MSG waits for a message before answering NO_MESSAGE.</summary>
    public TimeSpan ConsumeWait { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>How long the ids of unary calls delivered to a component are remembered, so that a retry is never executed twice.</summary>
    public TimeSpan DedupeRetention { get; init; } = TimeSpan.FromSeconds(20);
}
