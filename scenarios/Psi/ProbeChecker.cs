using Grpc.Core;
using Sim.Stack.Host;

namespace Sim.Scenarios.Psi;

/// <summary>
/// Security probes, both directions: each probe is refused as its rule says — by TLS for an identity the listener does
/// not trust (a foreign authority at a link, the peer's authority at a head, no client certificate), by the application
/// for a trusted identity that is not the peer (someone else, a prefix of the peer's name) or not the party (an insider
/// at the head). The honest side of each edge (the peer's own certificate at the link) is served: the PSI completes.
/// An answer that says nothing listened (the link not up yet) is not judged.
/// </summary>
public sealed class ProbeChecker
{
    public const string Invariant = "probe-refused-as-the-rule-says";

    public ProbeChecker(ScenarioContext context) => context.On<ProbeAnswered>((e, _) =>
    {
        if (e.Status is StatusCode.Unavailable or StatusCode.DeadlineExceeded or StatusCode.Cancelled && e.Tls is null)
        {
            return;
        }

        var (status, tls) = Expected(e.Probe);
        if (e.Status != status || e.Tls != tls)
        {
            context.Fail(Invariant, $"{e.Details}; the rule says {status}{(tls is { } t ? $" (TLS {t})" : "")}");
        }
    });

    private static (StatusCode Status, TlsFailure? Tls) Expected(ProbeKind probe) => probe switch
    {
        ProbeKind.LinkForeignAuthority or ProbeKind.HeadPeerCertificate => (StatusCode.Unavailable, TlsFailure.UntrustedIssuer),
        ProbeKind.LinkNoCertificate => (StatusCode.Unavailable, TlsFailure.ClientCertificateRequired),
        ProbeKind.LinkNotThePeer or ProbeKind.LinkPrefixOfPeer or ProbeKind.HeadInsider => (StatusCode.PermissionDenied, null),
        _ => throw new ArgumentOutOfRangeException(nameof(probe), probe, "unknown probe"),
    };
}
