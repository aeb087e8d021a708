using Sim.Stack.Cluster;
using Sim.Stack.Defects;

namespace Sim.Stack.Psi;

/// <summary>
/// The protocol options both parties must agree on before any item crosses (SPU's PSI config): the protocol version,
/// the curve, who receives the result, and the batch size (upstream 4096).
/// </summary>
/// <param name="Receivers">A party's name, or <see cref="Both"/>.</param>
public sealed record PsiProtocol(string Version, string Curve, string Receivers, int BatchSize)
{
    public const string Both = "both";

    public const string CurrentVersion = "ecdh-psi/2";

    /// <summary>Upstream's defaults: ECDH-PSI over Curve25519, result to both, batches of 4096.</summary>
    public static PsiProtocol Default { get; } = new(CurrentVersion, X25519Curve.CurveName, Both, 4096);

    public bool Receives(string party) => Receivers == Both || Receivers == party;
}

/// <summary>
/// The link between the two parties' actors (YACL's link context), with upstream's knobs: connect retries and their
/// interval (YACL: 10 tries, 1 s apart) and the receive timeout (SecretFlow: 120 s). Scenarios scale them together.
/// </summary>
public sealed record LinkOptions
{
    /// <summary>Upstream's ratios at full scale.</summary>
    public static LinkOptions Upstream { get; } = new();

    /// <summary>Tries of one push before the peer counts as unreachable (connect_retry_times).</summary>
    public int ConnectRetryTimes { get; init; } = 10;

    /// <summary>Pause between two tries (connect_retry_interval_ms).</summary>
    public TimeSpan ConnectRetryInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>How long a receive waits for the peer's message (recv_timeout_ms).</summary>
    public TimeSpan ReceiveTimeout { get; init; } = TimeSpan.FromSeconds(120);

    /// <summary>The deadline of one push.</summary>
    public TimeSpan PushTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Every knob divided by <paramref name="factor"/> (the ratios kept).</summary>
    public LinkOptions Scaled(double factor) => this with
    {
        ConnectRetryInterval = ConnectRetryInterval / factor,
        ReceiveTimeout = ReceiveTimeout / factor,
        PushTimeout = PushTimeout / factor,
    };

    /// <summary>How long a push may take, retries included, before the peer counts as unreachable.</summary>
    public TimeSpan RetryWindow => (ConnectRetryInterval + PushTimeout) * ConnectRetryTimes;
}

/// <summary>
/// One party's PSI job, configured like upstream's <c>sf.init</c> cluster config plus the PSI call: the party, its
/// advertised link address, the peer's, its cluster's head, the input file, the protocol, and the retry policy.
/// </summary>
/// <param name="Session">The job's id, the same on both sides.</param>
/// <param name="AdvertisedHost">The address the party advertises for its link (upstream: the head's).</param>
/// <param name="LinkPort">The advertised link port.</param>
/// <param name="InputPath">The item file's key on the disk of every node of the party.</param>
/// <param name="MaxAttempts">Attempts of the job (1: no retry); a retry places the actor away from the machine that failed.</param>
public sealed record PsiJobOptions(
    string Session,
    string Party,
    string Peer,
    string AdvertisedHost,
    string PeerHost,
    int LinkPort,
    ClusterOptions Cluster,
    string InputPath,
    PsiProtocol Protocol,
    LinkOptions Link,
    int MaxAttempts,
    DefectSet Defects)
{
    /// <summary>The CPU slots the PSI actor takes (its num_cpus).</summary>
    public int NumCpus { get; init; } = 1;

    /// <summary>How long after the driver starts the job is submitted (a user runs the program once the cluster is up).</summary>
    public TimeSpan SubmitAfter { get; init; } = TimeSpan.Zero;
}
