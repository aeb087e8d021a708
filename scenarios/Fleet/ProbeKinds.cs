namespace Sim.Scenarios.Fleet;

/// <summary>Which probing client tries which probes: each a process of its own, named after what it plays.</summary>
public static class ProbeKinds
{
    public static IReadOnlyList<(string Prober, IReadOnlyList<ProbeKind> Kinds)> ByProber { get; } =
    [
        (FleetSetup.SkewedProber, [ProbeKind.PastInside, ProbeKind.PastOutside, ProbeKind.FutureInside, ProbeKind.FutureOutside, ProbeKind.FarPast, ProbeKind.FarFuture, ProbeKind.MalformedTimestamp]),
        ("replayer", [ProbeKind.ReplayInside, ProbeKind.ReplayOutside]),
        ("intruder", [ProbeKind.ForeignKey, ProbeKind.MissingMetadata, ProbeKind.MissingSignature, ProbeKind.MissingTimestamp, ProbeKind.MissingKey]),
        ("forger", [ProbeKind.ForgedSignature, ProbeKind.CorruptSignature, ProbeKind.TruncatedSignature]),
        ("misdialer", [ProbeKind.NameMismatch, ProbeKind.ExpiredCertificate, ProbeKind.NotYetValidCertificate]),
        ("meddler", [ProbeKind.DeleteForeign, ProbeKind.PushForeign, ProbeKind.UnknownRun]),
    ];
}
