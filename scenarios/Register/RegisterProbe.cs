using Grpc.Core;
using Sim.Stack.Host;
using Sim.Stack.Register.Contracts;
using Sim.Stack.Rpc;
using Sim.Worlds;

namespace Sim.Scenarios.Register;

/// <summary>What a probe expects: refused with a status, refused at the TLS handshake, or judged by the server's clock.</summary>
/// <param name="Name">The probe's name.</param>
/// <param name="Refusal">The status a replica must refuse the call with (null: the call is not refused by the replica).</param>
/// <param name="Handshake">The handshake failure the call must meet (null: the handshake must succeed, unless judged by the clock).</param>
/// <param name="ByClock">The client certificate's validity decides: accepted inside its window, refused outside, on the server's clock.</param>
/// <param name="Reason">What a refusal's detail must say (the caller is told which rule it broke).</param>
public sealed record ProbeKind(string Name, StatusCode? Refusal = null, TlsFailure? Handshake = null, bool ByClock = false, string Reason = "");

/// <summary>A probe is about to call a replica (with a client certificate valid over [NotBefore, NotAfter], if it has one).</summary>
public sealed record ProbeSent(string Probe, string Target, DateTime? NotBefore, DateTime? NotAfter) : SimEvent
{
    public override string Kind => "register.probe";

    public override string Details => $"{Probe} -> {Target}{(NotBefore is { } from ? $" certificate valid {from:O}..{NotAfter:O}" : "")}";
}

/// <summary>A probe's call ended: with its status, and the handshake failure when the TLS handshake refused it.</summary>
public sealed record ProbeAnswered(string Probe, StatusCode Status, TlsFailure? Handshake, string Detail) : SimEvent
{
    public override string Kind => "register.probe-answered";

    public override string Details => $"{Probe}: {Status}{(Handshake is { } f ? $" (TLS {f})" : "")} {Detail}";
}

/// <summary>
/// A hostile (and at the edges, honest) client: round-robin over <see cref="Kinds"/>, one call every
/// <see cref="Interval"/>: replication from a client certificate, replication sent to the primary, a write
/// sent to the backup, the primary dialed by address, the backup (mTLS) dialed with no client certificate,
/// with one from an authority nobody trusts, with one that expired just now, one not valid yet, and one valid
/// just around now. After the quiet point it stops once every kind has had a decisive answer.
/// </summary>
public sealed class RegisterProbe(IHost host, ScenarioContext context, Live primary, Live backup, Live me, Func<bool> done)
{
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(0.7);

    /// <summary>How far outside (or inside) the client certificate's validity the clock-judged probes aim.</summary>
    public static readonly TimeSpan Edge = TimeSpan.FromMilliseconds(200);

    public static readonly ProbeKind RogueReplication = new("rogue-replication", Refusal: StatusCode.PermissionDenied, Reason: "replicates to this backup");
    public static readonly ProbeKind ReplicationToPrimary = new("replication-to-primary", Refusal: StatusCode.FailedPrecondition, Reason: "not the backup");
    public static readonly ProbeKind WriteToBackup = new("write-to-backup", Refusal: StatusCode.FailedPrecondition, Reason: "not the primary");
    public static readonly ProbeKind PrimaryByAddress = new("primary-by-address", Handshake: TlsFailure.NameMismatch);
    public static readonly ProbeKind NoClientCertificate = new("no-client-certificate", Handshake: TlsFailure.ClientCertificateRequired);
    public static readonly ProbeKind UntrustedClientCertificate = new("untrusted-client-certificate", Handshake: TlsFailure.UntrustedIssuer);
    public static readonly ProbeKind JustExpired = new("client-certificate-just-expired", ByClock: true);
    public static readonly ProbeKind NotYetValid = new("client-certificate-not-yet-valid", ByClock: true);
    public static readonly ProbeKind JustValid = new("client-certificate-just-valid", ByClock: true);

    public static IReadOnlyList<ProbeKind> Kinds { get; } =
        [RogueReplication, ReplicationToPrimary, WriteToBackup, PrimaryByAddress, NoClientCertificate, UntrustedClientCertificate, JustExpired, NotYetValid, JustValid];

    private readonly Dictionary<string, Sim.Stack.Register.Contracts.Register.RegisterClient> fixedChannels = new(StringComparer.Ordinal);
    private readonly CertificateAuthority untrusted = context.Authority("nobody-trusts-this-ca");

    public async Task RunAsync()
    {
        for (var round = 0; !done(); round++)
        {
            await host.Clock.Delay(Interval, host.Lifetime);
            await ProbeAsync(Kinds[round % Kinds.Count]);
        }
    }

    private async Task ProbeAsync(ProbeKind kind)
    {
        var (target, tls, certificate) = Dial(kind);
        var client = kind.ByClock ? Channel(target, tls) : fixedChannels.TryGetValue(kind.Name, out var reused) ? reused : fixedChannels[kind.Name] = Channel(target, tls);
        host.Log.Event(new ProbeSent(kind.Name, target.Name, certificate?.NotBefore, certificate?.NotAfter));
        var deadline = host.Clock.UtcNow + TimeSpan.FromSeconds(1);
        try
        {
            await Call(kind, client, deadline);
            host.Log.Event(new ProbeAnswered(kind.Name, StatusCode.OK, null, ""));
        }
        catch (RpcException e)
        {
            host.Log.Event(new ProbeAnswered(kind.Name, e.StatusCode, (e.Status.DebugException as TlsHandshakeException)?.Failure, e.Status.Detail));
        }
    }

    private static Task Call(ProbeKind kind, Sim.Stack.Register.Contracts.Register.RegisterClient client, DateTime deadline)
    {
        if (kind == RogueReplication || kind == ReplicationToPrimary)
        {
            // Far ahead of any real version: taken, it would shadow every later write.
            return client.ReplicateAsync(new ReplicateRequest { Key = "rogue", Version = 1_000_000, Value = "rogue" }, deadline: deadline).ResponseAsync;
        }

        return kind == WriteToBackup
            ? client.WriteAsync(new WriteRequest { Key = "rogue", Value = "rogue", Client = "prober" }, deadline: deadline).ResponseAsync
            : client.ReadAsync(new ReadRequest { Key = "rogue" }, deadline: deadline).ResponseAsync;
    }

    private (Live Target, TlsClientOptions Tls, Certificate? Certificate) Dial(ProbeKind kind)
    {
        var own = me.TlsTo(backup);
        if (kind == ReplicationToPrimary)
        {
            return (primary, me.TlsTo(primary), null);
        }

        if (kind == PrimaryByAddress)
        {
            return (primary, primary.ClientTls with { ServerName = primary.Address }, null);
        }

        if (kind == NoClientCertificate)
        {
            return (backup, own with { ClientCertificate = null }, null);
        }

        if (kind == UntrustedClientCertificate)
        {
            return (backup, own with { ClientCertificate = Issue(untrusted, TimeSpan.FromDays(-1), TimeSpan.FromDays(1)) }, null);
        }

        if (!kind.ByClock)
        {
            return (backup, own, null);
        }

        var certificate = kind == JustExpired ? Issue(me.Site.Authority, TimeSpan.FromDays(-1), -Edge)
            : kind == NotYetValid ? Issue(me.Site.Authority, Edge, TimeSpan.FromDays(1))
            : Issue(me.Site.Authority, -Edge, Edge * 4);
        return (backup, own with { ClientCertificate = certificate }, certificate);
    }

    /// <summary>A certificate for the prober valid from <paramref name="from"/> to <paramref name="to"/> around the backup's clock now.</summary>
    private Certificate Issue(CertificateAuthority authority, TimeSpan from, TimeSpan to)
    {
        var serverNow = World.Epoch + context.World.Now + backup.Machine.ClockSkew;
        return authority.Issue(me.Name, [me.DnsName], serverNow + from, serverNow + to);
    }

    private Sim.Stack.Register.Contracts.Register.RegisterClient Channel(Live target, TlsClientOptions tls) =>
        new(new RpcChannel(host, tls.ServerName == target.Address ? target.Address : target.DnsName, target.Port, tls));
}
