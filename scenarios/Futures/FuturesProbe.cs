using Grpc.Core;
using Sim.Stack.Futures;
using Sim.Stack.Futures.Contracts;
using Sim.Stack.Host;
using Sim.Stack.Rpc;
using Sim.Worlds;

namespace Sim.Scenarios.Futures;

/// <summary>
/// One security probe answered: what the rule says must happen (<paramref name="Expected"/>) and what did
/// (<paramref name="Actual"/>: <c>ok</c>, a status code, or <c>TLS &lt;failure&gt;</c>). An answer that only says the
/// network or the scheduler was away (unavailable, deadline) is not conclusive and judged neither way.
/// </summary>
public sealed record ProbeAnswered(string Probe, string Expected, string Actual, bool Conclusive) : SimEvent
{
    public override string Kind => "futures.probe";

    public override string Details => $"{Probe}: expected {Expected}, got {Actual}{(Conclusive ? "" : " (inconclusive)")}";
}

/// <summary>
/// A hostile (authenticated but not authorized, or not authenticated at all) client of the scheduler that tries every
/// rule at and beyond both of its edges, one probe every <see cref="Interval"/>, round robin: client ids that are not
/// its own (another user's, its bare identity, a trailing dot, a longer name sharing its prefix) and the smallest one
/// that is (<c>&lt;identity&gt;.x</c>, which must work end to end: connect, submit, read the result back); submits and
/// cancels with a forged session token, for a client that never connected, for another user's client; and TLS
/// without a client certificate, with one from an authority nobody trusts, one that expired a little before the
/// scheduler's clock (model view: world time plus the scheduler machine's skew) and one not valid until a little
/// after, and one valid over a short window around it (accepted). A refusal counts as the rule's answer only if its detail
/// says which client and why.
/// </summary>
public sealed class FuturesProbe
{
    /// <summary>Time between two probes.</summary>
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(0.7);

    /// <summary>How far outside (or inside) a certificate's validity window the edge probes are: more than a call's deadline.</summary>
    public static readonly TimeSpan Edge = TimeSpan.FromSeconds(2);

    private const string Ok = "ok";
    private const string Denied = nameof(StatusCode.PermissionDenied);
    private const string NoSession = nameof(StatusCode.FailedPrecondition);

    /// <summary>An answer to a legal probe whose session a scheduler restart (an admin's or a crash) ended under it: judged neither way.</summary>
    private const string Restarted = "session ended by a scheduler restart";

    private readonly IHost host;
    private readonly ScenarioContext context;
    private readonly Live me;
    private readonly Live scheduler;
    private readonly CertificateAuthority rogue;
    private readonly Func<string?> victim;
    private int sequence;

    private FuturesProbe(IHost host, ScenarioContext context, Live me, Live scheduler, CertificateAuthority rogue, Func<string?> victim)
    {
        this.host = host;
        this.context = context;
        this.me = me;
        this.scheduler = scheduler;
        this.rogue = rogue;
        this.victim = victim;
    }

    public int Answered { get; private set; }

    public int Inconclusive { get; private set; }

    /// <summary>
    /// Starts probing <paramref name="scheduler"/> until <paramref name="until"/>; <paramref name="victim"/> names an honest
    /// client id to impersonate (null while there is none).
    /// </summary>
    public static FuturesProbe Start(IHost host, ScenarioContext context, Live me, Live scheduler, CertificateAuthority rogue, Func<string?> victim, TimeSpan until)
    {
        var probe = new FuturesProbe(host, context, me, scheduler, rogue, victim);
        host.Spawn("probe", lifetime => probe.RunAsync(until, lifetime));
        return probe;
    }

    private string Identity => me.Certificate.Current.Subject;

    private async Task RunAsync(TimeSpan until, CancellationToken lifetime)
    {
        var probes = Probes();
        for (var n = 0; !lifetime.IsCancellationRequested && host.Clock.Elapsed < until; n++)
        {
            await host.Clock.Delay(Interval, lifetime);
            var (name, expected, run) = probes[n % probes.Count];
            var skew = SchedulerSkew();
            string actual;
            try
            {
                actual = await run();
            }
            catch (RpcException e)
            {
                actual = Outcome(e);
            }

            // A skew change while the call ran moves the certificate edges under it, and a TLS session expired by a fault
            // while it ran says nothing of the rule: judged neither way.
            var conclusive = actual is not (nameof(StatusCode.Unavailable) or nameof(StatusCode.DeadlineExceeded) or nameof(StatusCode.Cancelled) or "TLS SessionExpired" or Restarted)
                && skew == SchedulerSkew();
            (Answered, Inconclusive) = conclusive ? (Answered + 1, Inconclusive) : (Answered, Inconclusive + 1);
            host.Log.Event(new ProbeAnswered(name, expected, actual, conclusive));
        }
    }

    private List<(string Name, string Expected, Func<Task<string>> Run)> Probes() =>
    [
        ("connect-as-another-users-client", Denied, () => victim() is { } v ? ConnectAsync(Tls(), v) : ConnectAsync(Tls(), "client0.1-1")),
        ("connect-as-bare-identity", Denied, () => ConnectAsync(Tls(), Identity)),
        ("connect-as-identity-and-dot", Denied, () => ConnectAsync(Tls(), Identity + ".")),
        ("connect-as-longer-name-same-prefix", Denied, () => ConnectAsync(Tls(), Identity + "x.1")),
        ("own-client-submits-and-reads-result", Ok, () => OwnClientAsync()),
        ("submit-with-forged-session", NoSession, () => ForgedSessionAsync()),
        ("second-stream-replaces-the-first", Ok, () => ReplaceAsync()),
        ("submit-without-connecting", NoSession, () => SubmitAsync(Tls(), $"{Identity}.never", "", "probe-never")),
        ("submit-as-another-users-client", Denied, () => SubmitAsync(Tls(), victim() ?? "client0.1-1", "", "probe-foreign")),
        ("cancel-another-users-client", Denied, () => CancelAsync(Tls(), victim() ?? "client0.1-1", "")),
        ("tls-without-client-certificate", "TLS ClientCertificateRequired", () => ConnectAsync(scheduler.ClientTls, $"{Identity}.anonymous")),
        ("tls-certificate-from-untrusted-authority", "TLS UntrustedIssuer", () => ConnectAsync(Minted(rogue, -TimeSpan.FromDays(1), TimeSpan.FromDays(1)), $"{Identity}.rogue")),
        ("tls-certificate-just-expired", "TLS CertificateExpired", () => ConnectAsync(Minted(me.Site.Authority, -TimeSpan.FromDays(1), -Edge), $"{Identity}.expired")),
        ("tls-certificate-not-yet-valid", "TLS CertificateNotYetValid", () => ConnectAsync(Minted(me.Site.Authority, Edge, TimeSpan.FromDays(1)), $"{Identity}.early")),
        ("tls-certificate-just-inside-its-window", Ok, () => ConnectAsync(Minted(me.Site.Authority, -Edge, Edge), $"{Identity}.edge")),
    ];

    private TimeSpan SchedulerSkew() => scheduler.Machine.ClockSkew;

    private TlsClientOptions Tls() => me.TlsTo(scheduler);

    /// <summary>A certificate for this probe's identity valid from the scheduler's now (model view) plus <paramref name="from"/> to plus <paramref name="to"/>.</summary>
    private TlsClientOptions Minted(CertificateAuthority authority, TimeSpan from, TimeSpan to)
    {
        var schedulerNow = World.Epoch + context.World.Now + SchedulerSkew();
        var certificate = authority.Issue(Identity, [me.DnsName], schedulerNow + from, schedulerNow + to);
        return scheduler.ClientTls with { ClientCertificate = certificate };
    }

    private Sim.Stack.Futures.Contracts.Scheduler.SchedulerClient Dial(TlsClientOptions tls) => new(new RpcChannel(host, scheduler.DnsName, scheduler.Port, tls));

    private DateTime Deadline => host.Clock.UtcNow + TimeSpan.FromSeconds(1);

    /// <summary>Opens a report stream as <paramref name="client"/>: ok once StreamStart arrives (the stream is closed at once).</summary>
    private async Task<string> ConnectAsync(TlsClientOptions tls, string client)
    {
        using var call = Dial(tls).Connect(new ConnectRequest { Client = client }, deadline: Deadline);
        return await StartedAsync(call) is null ? "stream ended" : Ok;
    }

    /// <summary>The session token of a report stream once its StreamStart arrives, or null if it ended first.</summary>
    private static async Task<string?> StartedAsync(AsyncServerStreamingCall<Report> call) =>
        await call.ResponseStream.MoveNext(CancellationToken.None) && call.ResponseStream.Current.KindCase == Report.KindOneofCase.StreamStart
            ? call.ResponseStream.Current.StreamStart.Session
            : null;

    private async Task<string> SubmitAsync(TlsClientOptions tls, string client, string session, string key)
    {
        var request = new SubmitRequest { Client = client, Session = session };
        request.Tasks.Add(new TaskSpec { Key = key, Operation = "sum", Inputs = { 1, 2 }, DurationMs = 10 });
        await Dial(tls).SubmitAsync(request, deadline: Deadline);
        return Ok;
    }

    private async Task<string> CancelAsync(TlsClientOptions tls, string client, string session)
    {
        var request = new CancelRequest { Client = client, Session = session, Reason = "probe" };
        request.Keys.Add("probe-foreign");
        await Dial(tls).CancelAsync(request, deadline: Deadline);
        return Ok;
    }

    /// <summary>Its own smallest legal client id, end to end: connect, submit with the stream's token, read the result.</summary>
    private async Task<string> OwnClientAsync()
    {
        var scheduler = Dial(Tls());
        using var call = scheduler.Connect(new ConnectRequest { Client = $"{Identity}.x" }, deadline: host.Clock.UtcNow + TimeSpan.FromSeconds(3));
        if (await StartedAsync(call) is not { } session)
        {
            return "stream ended";
        }

        var key = $"probe-{++sequence}";
        var request = new SubmitRequest { Client = $"{Identity}.x", Session = session };
        request.Tasks.Add(new TaskSpec { Key = key, Operation = "sum", Inputs = { 20, 22 }, DurationMs = 10 });
        if (await SubmitInSessionAsync(scheduler, request) is { } over)
        {
            return over;
        }

        while (await call.ResponseStream.MoveNext(CancellationToken.None))
        {
            if (call.ResponseStream.Current.KeyInMemory is { } done && done.Key == key)
            {
                return done.Result == 42 ? Ok : $"wrong result {done.Result}";
            }
        }

        return "stream ended";
    }

    /// <summary>Connects its own client, then submits with a token that is not the stream's.</summary>
    private async Task<string> ForgedSessionAsync()
    {
        using var call = Dial(Tls()).Connect(new ConnectRequest { Client = $"{Identity}.forger" }, deadline: host.Clock.UtcNow + TimeSpan.FromSeconds(3));
        return await StartedAsync(call) is { } session ? await SubmitAsync(Tls(), $"{Identity}.forger", session + "0", "probe-forged") : "stream ended";
    }

    /// <summary>
    /// Opens a stream, submits a long task in it, then opens a second stream for the same client id: the first must end
    /// (the scheduler replaced its session and released its task) and the second must start.
    /// </summary>
    private async Task<string> ReplaceAsync()
    {
        var scheduler = Dial(Tls());
        var client = $"{Identity}.twice";
        using var first = scheduler.Connect(new ConnectRequest { Client = client }, deadline: host.Clock.UtcNow + TimeSpan.FromSeconds(3));
        if (await StartedAsync(first) is not { } session)
        {
            return "stream ended";
        }

        // A task of 60 virtual seconds, in the given session.
        SubmitRequest LongTask(string inSession, string taskKey) =>
            new() { Client = client, Session = inSession, Tasks = { new TaskSpec { Key = taskKey, Operation = "sum", Inputs = { 1 }, DurationMs = 60_000 } } };

        var key = $"probe-long-{++sequence}";
        if (await SubmitInSessionAsync(scheduler, LongTask(session, key)) is { } over)
        {
            return over;
        }

        using var second = scheduler.Connect(new ConnectRequest { Client = client }, deadline: Deadline);
        if (await StartedAsync(second) is not { } replacement)
        {
            return "second stream ended";
        }

        // The first stream may still deliver what the scheduler sent it before the replacement (a restart report); it
        // must then end. One that stays open runs into its deadline: DeadlineExceeded, judged neither way here (a
        // clogged link looks the same), and the resource checker sees the session left behind. The long task cannot
        // have finished: 60 virtual seconds have not passed since it was submitted.
        while (await first.ResponseStream.MoveNext(CancellationToken.None))
        {
            var report = first.ResponseStream.Current;
            if (report.KindCase == Report.KindOneofCase.StreamStart)
            {
                return "first stream started again";
            }

            if (report.KeyInMemory?.Key == key || report.TaskErred?.Key == key)
            {
                return "the 60-second task finished at once";
            }
        }

        // A long task in the second session too, left running when the probe ends that stream: closing the session
        // must stop it (the resource checker counts the scheduler's loops at the horizon).
        return await SubmitInSessionAsync(scheduler, LongTask(replacement, $"probe-long-{++sequence}")) ?? Ok;
    }

    /// <summary>What a refused call answered; a refusal must say why (a non-empty detail naming the client), else it is not the rule's answer.</summary>
    /// <summary>Submits in a session the probe just opened: null once taken, <see cref="Restarted"/> if the session is already over.</summary>
    private async Task<string?> SubmitInSessionAsync(Sim.Stack.Futures.Contracts.Scheduler.SchedulerClient scheduler, SubmitRequest request)
    {
        try
        {
            await scheduler.SubmitAsync(request, deadline: Deadline);
            return null;
        }
        catch (RpcException e) when (e.StatusCode == StatusCode.FailedPrecondition)
        {
            // Nothing else ends a session the probe holds: its own ids are used by no one else, one probe at a time.
            return Restarted;
        }
    }

    private static string Outcome(RpcException e) => e.StatusCode switch
    {
        StatusCode.Unavailable when e.Status.Detail.StartsWith("TLS ", StringComparison.Ordinal) => string.Join(' ', e.Status.Detail.Split(' ', 3)[..2]).TrimEnd(':'),
        StatusCode.PermissionDenied or StatusCode.FailedPrecondition when !e.Status.Detail.Contains("client ", StringComparison.Ordinal) => $"{e.StatusCode} with detail '{e.Status.Detail}', which does not say which client or why",
        _ => e.StatusCode.ToString(),
    };

    public override string ToString() => $"{Answered} probe(s) answered, {Inconclusive} inconclusive (scheduler away)";
}
