using Grpc.Core;
using Sim.Stack.Fleet;
using Sim.Stack.Fleet.Contracts;
using Sim.Stack.Host;
using Sim.Stack.Rpc;
using FleetClient = Sim.Stack.Fleet.Contracts.Fleet.FleetClient;

namespace Sim.Scenarios.Fleet;

/// <summary>
/// A client that probes the coordinator's rules: every <see cref="Period"/> it tries the next of its
/// <see cref="ProbeKind"/>s and reports the answer (<see cref="ProbeAnswered"/>). Probes that should be rejected
/// ask for what an attacker wants (to register, to pull or delete a victim's node, to keep it pinging); probes
/// that should pass ping an unknown node, or act with the prober's own allow-listed key on a node it does not hold
/// (delete it, push a result in its name) or on a run nobody created, which the coordinator ignores or refuses.
/// </summary>
public sealed class Prober
{
    public static readonly TimeSpan Period = TimeSpan.FromSeconds(1);

    /// <summary>
    /// The age of the capture the outside replay sends: beyond the window (15 s) even when the prober's and the
    /// coordinator's clocks are skewed 5 s apart each way (swarm's largest skew), so the replayed delete of the victim is
    /// always rejected; a replay the skews bring inside the window would delete an honest node, as upstream would.
    /// </summary>
    public static readonly TimeSpan ReplayOutsideAge = TimeSpan.FromSeconds(27);

    /// <summary>The run the unknown-run probe asks for: far beyond any run id the driver's runs reach.</summary>
    public const long UnknownRunId = 1_000_000;

    private readonly IHost host;
    private readonly ProberOptions options;
    private readonly Queue<(TimeSpan At, Metadata Headers, DateTime Stamp)> captured = new();
    private readonly Dictionary<string, FleetClient> clients = new(StringComparer.Ordinal);
    private int next;

    private Prober(IHost host, ProberOptions options)
    {
        this.host = host;
        this.options = options;
    }

    public int Accepted { get; private set; }

    public int Rejected { get; private set; }

    public string LastError { get; private set; } = "-";

    public static Prober Start(IHost host, ProberOptions options)
    {
        var prober = new Prober(host, options);
        host.Spawn("probe", prober.RunAsync);
        return prober;
    }

    public override string ToString() => $"{Rejected} call(s) rejected, {Accepted} accepted; last error: {LastError}";

    private DateTime Now => host.Clock.UtcNow;

    private async Task RunAsync(CancellationToken lifetime)
    {
        while (!lifetime.IsCancellationRequested)
        {
            await host.Clock.Delay(Period, lifetime);
            Capture();
            var kind = options.Kinds[next++ % options.Kinds.Count];
            if (Probe(kind) is { } attempt)
            {
                await SendAsync(kind, attempt);
            }
        }
    }

    /// <summary>An honest node's metadata as an eavesdropper records it, kept for the replays.</summary>
    private void Capture()
    {
        var stamp = Now;
        captured.Enqueue((host.Clock.Elapsed, options.Victim.Sign(stamp), stamp));
        while (captured.Count > 40)
        {
            captured.Dequeue();
        }
    }

    /// <summary>The call probe <paramref name="kind"/> makes now; null when it cannot be made yet (no capture old enough).</summary>
    private Attempt? Probe(ProbeKind kind)
    {
        var (coordinator, own) = (options.Coordinator, options.Own);
        Attempt Signed(Metadata? headers, DateTime? stamp, Call call) => new(coordinator.DnsName, coordinator.Port, coordinator.ClientTls, headers, stamp, call);
        Attempt Stamped(NodeCredentials key, DateTime stamp, Call call) => Signed(key.Sign(stamp), stamp, call);
        return kind switch
        {
            ProbeKind.PastInside => Stamped(own, Now.AddSeconds(-14), PingUnknown),
            ProbeKind.PastOutside => Stamped(own, Now.AddSeconds(-16), PullVictim),
            ProbeKind.FutureInside => Stamped(own, Now.AddSeconds(4), PingUnknown),
            ProbeKind.FutureOutside => Stamped(own, Now.AddSeconds(6), PullVictim),
            ProbeKind.FarPast => Stamped(own, Now.AddSeconds(-30), PullVictim),
            ProbeKind.FarFuture => Stamped(own, Now.AddHours(1), PullVictim),
            ProbeKind.ReplayInside => Captured(TimeSpan.FromSeconds(4)) is { } c ? Signed(c.Headers, c.Stamp, PingUnknown) : null,
            ProbeKind.ReplayOutside => Captured(ReplayOutsideAge) is { } c ? Signed(c.Headers, c.Stamp, DeleteVictim) : null,
            ProbeKind.ForeignKey => Stamped(options.Stranger, Now, (f, h, d) => f.CreateNodeAsync(new CreateNodeRequest { PingInterval = 3 }, h, d).ResponseAsync),
            ProbeKind.ForgedSignature => Signed(Forge(Now), Now, PullVictim),
            ProbeKind.CorruptSignature => Signed(Corrupt(options.Victim.Sign(Now), s => s[^1] ^= 1), Now, PingVictim),
            ProbeKind.TruncatedSignature => Signed(Corrupt(options.Victim.Sign(Now), null), Now, PingVictim),
            ProbeKind.MissingMetadata => Signed(null, null, (f, h, d) => f.GetRunAsync(new GetRunRequest { RunId = 1 }, h, d).ResponseAsync),
            ProbeKind.MalformedTimestamp => Signed(own.SignTimestamp("not-a-time"), null, DeleteVictim),
            ProbeKind.MissingSignature => Signed(Without(own.Sign(Now), NodeCredentials.SignatureHeader), null, PullVictim),
            ProbeKind.MissingTimestamp => Signed(Without(own.Sign(Now), NodeCredentials.TimestampHeader), null, PullVictim),
            ProbeKind.MissingKey => Signed(Without(own.Sign(Now), NodeCredentials.PublicKeyHeader), null, PullVictim),
            ProbeKind.DeleteForeign => Stamped(own, Now, DeleteVictim),
            ProbeKind.PushForeign => Stamped(own, Now, PushForVictim),
            ProbeKind.UnknownRun => Stamped(own, Now, (f, h, d) => f.GetRunAsync(new GetRunRequest { RunId = UnknownRunId }, h, d).ResponseAsync),
            ProbeKind.NameMismatch => new(coordinator.Address, coordinator.Port, coordinator.ClientTls with { ServerName = coordinator.Address }, own.Sign(Now), Now, PingUnknown),
            ProbeKind.ExpiredCertificate => Decoy(TlsDecoy.ExpiredPort),
            ProbeKind.NotYetValidCertificate => Decoy(TlsDecoy.NotYetValidPort),
            _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "unknown probe"),
        };

        Attempt? Decoy(int port) => options.Decoy is { } decoy ? new(decoy.DnsName, port, decoy.ClientTls, own.Sign(Now), Now, PingUnknown) : null;
    }

    private Task PingUnknown(FleetClient fleet, Metadata? headers, DateTime deadline) =>
        fleet.PingAsync(new PingRequest { Node = new Node(), PingInterval = 3 }, headers, deadline).ResponseAsync;

    private Task PullVictim(FleetClient fleet, Metadata? headers, DateTime deadline) =>
        fleet.PullTaskInsAsync(new PullTaskInsRequest { Node = new Node { NodeId = options.VictimId() } }, headers, deadline).ResponseAsync;

    private Task PingVictim(FleetClient fleet, Metadata? headers, DateTime deadline) =>
        fleet.PingAsync(new PingRequest { Node = new Node { NodeId = options.VictimId() }, PingInterval = 3 }, headers, deadline).ResponseAsync;

    private Task DeleteVictim(FleetClient fleet, Metadata? headers, DateTime deadline) =>
        fleet.DeleteNodeAsync(new DeleteNodeRequest { Node = new Node { NodeId = options.VictimId() } }, headers, deadline).ResponseAsync;

    private Task PushForVictim(FleetClient fleet, Metadata? headers, DateTime deadline)
    {
        var push = new PushTaskResRequest();
        push.TaskResList.Add(new TaskRes { TaskId = $"forged-{next}", RunId = 1, NodeId = options.VictimId(), Result = 0 });
        return fleet.PushTaskResAsync(push, headers, deadline).ResponseAsync;
    }

    /// <summary>The metadata with one header left out.</summary>
    private static Metadata Without(Metadata headers, string name)
    {
        headers.Remove(headers.Get(name)!);
        return headers;
    }

    /// <summary>The latest capture at least <paramref name="age"/> old.</summary>
    private (Metadata Headers, DateTime Stamp)? Captured(TimeSpan age) =>
        captured.LastOrDefault(c => host.Clock.Elapsed - c.At >= age) is { Headers: not null } old ? (old.Headers, old.Stamp) : null;

    /// <summary>The victim's key presented with a signature the forger made over the timestamp.</summary>
    private Metadata Forge(DateTime now)
    {
        var forged = options.Forger.Sign(now);
        forged.Remove(forged.Get(NodeCredentials.PublicKeyHeader)!);
        forged.Add(NodeCredentials.PublicKeyHeader, options.Victim.PublicKey);
        return forged;
    }

    /// <summary>The metadata with its signature altered in place, or cut to half its length (<paramref name="alter"/> null).</summary>
    private static Metadata Corrupt(Metadata headers, Action<byte[]>? alter)
    {
        var signature = headers.GetValueBytes(NodeCredentials.SignatureHeader)!.ToArray();
        headers.Remove(headers.Get(NodeCredentials.SignatureHeader)!);
        if (alter is null)
        {
            signature = signature[..(signature.Length / 2)];
        }
        else
        {
            alter(signature);
        }

        headers.Add(NodeCredentials.SignatureHeader, signature);
        return headers;
    }

    private async Task SendAsync(ProbeKind kind, Attempt attempt)
    {
        var sent = host.Clock.Elapsed;
        var (status, detail, tls) = (StatusCode.OK, "", (TlsFailure?)null);
        try
        {
            await attempt.Call(Client(attempt), attempt.Headers, Now.AddSeconds(1));
            Accepted++;
        }
        catch (RpcException e)
        {
            (status, detail, tls) = (e.StatusCode, e.Status.Detail, (e.Status.DebugException as TlsHandshakeException)?.Failure);
            if (status is StatusCode.Unauthenticated || tls is not null)
            {
                Rejected++;
                LastError = $"{status}: {detail}";
            }
        }

        var key = attempt.Headers?.GetValueBytes(NodeCredentials.PublicKeyHeader) is { } presented ? Convert.ToHexStringLower(presented)[..12] : "-";
        host.Log.Event(new ProbeAnswered(kind, sent, attempt.Stamp, status, tls, detail) { Key = key });
    }

    private FleetClient Client(Attempt attempt)
    {
        var target = $"{attempt.Host}:{attempt.Port}";
        if (!clients.TryGetValue(target, out var client))
        {
            clients[target] = client = new FleetClient(new RpcChannel(host, attempt.Host, attempt.Port, attempt.Tls));
        }

        return client;
    }

    /// <summary>One probe call: where it goes, how it authenticates, and what it asks for.</summary>
    private delegate Task Call(FleetClient fleet, Metadata? headers, DateTime deadline);

    private sealed record Attempt(string Host, int Port, TlsClientOptions Tls, Metadata? Headers, DateTime? Stamp, Call Call);
}
/// <summary>How a prober runs.</summary>
/// <param name="Coordinator">The coordinator it probes.</param>
/// <param name="Decoy">Servers with invalid certificates, for the certificate probes (null: none).</param>
/// <param name="Kinds">The probes it cycles through, one per period.</param>
/// <param name="Own">Its own key, on the allow-list (a node with a wrong clock).</param>
/// <param name="Stranger">A key outside the allow-list.</param>
/// <param name="Forger">A key that signs for the victim's.</param>
/// <param name="Victim">An honest node's credentials: what an eavesdropper replays (the probe never signs a chosen timestamp with them).</param>
/// <param name="VictimId">The victim's node id now, as an eavesdropper learns it.</param>
public sealed record ProberOptions(
    Live Coordinator,
    Live? Decoy,
    IReadOnlyList<ProbeKind> Kinds,
    NodeCredentials Own,
    NodeCredentials Stranger,
    NodeCredentials Forger,
    NodeCredentials Victim,
    Func<long> VictimId);
