using Grpc.Core;
using Sim.Stack.Host;
using Sim.Stack.Psi;

namespace Sim.Scenarios.Psi;

/// <summary>
/// Security probes, both directions: each probe is refused as its rule says — by TLS for an identity the listener does
/// not trust (a foreign authority at a link, the peer's authority at a head, no client certificate), by the application
/// for a trusted identity that is not the peer (someone else, a prefix of the peer's name) or not the party (an insider
/// at the head). The honest side of each edge (the peer's own certificate at the link) is served: the PSI completes.
/// A report that the party's actor failed, from the party's own identity but a machine the actor does not run on, is
/// answered and ignored: no actor ever ends with a forged report's error kind.
/// An answer that says nothing listened (the link not up yet), or that the target's TLS sessions expired under the call, is not judged.
/// </summary>
public sealed class ProbeChecker
{
    public const string Invariant = "probe-refused-as-the-rule-says";

    public ProbeChecker(ScenarioContext context, PsiTopology topology)
    {
        context.On<ProbeAnswered>((e, _) =>
        {
            // Nothing listened, or the target's TLS sessions were expired under the call (a fault): the answer says nothing of the rule.
            if (e.Status is StatusCode.Unavailable or StatusCode.DeadlineExceeded or StatusCode.Cancelled && e.Tls is null or TlsFailure.SessionExpired)
            {
                return;
            }

            var party = topology.Party(e.Target);
            var (status, tls, detail) = Expected(e.Probe, party);
            if (e.Status != status || e.Tls != tls || (detail is not null && !e.Detail.StartsWith(detail, StringComparison.Ordinal)))
            {
                context.Fail(Invariant, $"{e.Details}; the rule says {status}{(tls is { } t ? $" (TLS {t})" : "")}{(detail is null ? "" : $": {detail}")}");
            }
        });

        // A forged exit report (refused, or from a machine the actor does not run on) never ends an actor.
        context.On<Sim.Stack.Cluster.ActorEnded>((e, _) =>
        {
            if (e.ErrorKind == LinkProbe.ForgedKind)
            {
                context.Fail(Invariant, $"{e.Details}; a forged exit report ended the actor");
            }
        });

        // The refused caller is the one whose certificate the push came with (through the head's proxy: the one it forwards), never the party's own proxy.
        context.On<LinkPushRefused>((e, _) =>
        {
            if (e.Caller == e.Party)
            {
                context.Fail(Invariant, $"{e.Details}; the refusal must name the caller, not {e.Party}'s own proxy");
            }
        });
    }

    private static (StatusCode Status, TlsFailure? Tls, string? Detail) Expected(ProbeKind probe, PsiParty party) => probe switch
    {
        ProbeKind.LinkForeignAuthority or ProbeKind.HeadPeerCertificate => (StatusCode.Unavailable, TlsFailure.UntrustedIssuer, null),
        ProbeKind.LinkNoCertificate => (StatusCode.Unavailable, TlsFailure.ClientCertificateRequired, null),
        ProbeKind.LinkNotThePeer or ProbeKind.LinkPrefixOfPeer => (StatusCode.PermissionDenied, null, $"only {party.Peer} pushes to {party.Name}'s link"),
        ProbeKind.HeadInsider or ProbeKind.HeadRegisterInsider or ProbeKind.HeadHeartbeatInsider or ProbeKind.HeadWaitInsider or ProbeKind.HeadExitedInsider
            or ProbeKind.HeadKillInsider =>
            (StatusCode.PermissionDenied, null, $"'{party.Name}-intern' is not a member of party {party.Name}'s cluster"),
        ProbeKind.NodeInsider => (StatusCode.PermissionDenied, null, $"only party {party.Name}'s head starts actors here"),
        ProbeKind.NodeStalePlacement => (StatusCode.FailedPrecondition, null, "actor mallory is for node node0; this is "),
        ProbeKind.HeadExitedElsewhere => (StatusCode.OK, null, null),
        ProbeKind.NodeStopInsider => (StatusCode.PermissionDenied, null, $"only party {party.Name}'s head stops actors here"),
        ProbeKind.NodeStaleStop => (StatusCode.FailedPrecondition, null, $"actor psi-1-{party.Name}-a"),
        _ => throw new ArgumentOutOfRangeException(nameof(probe), probe, "unknown probe"),
    };
}
