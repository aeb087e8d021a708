using System.Globalization;
using Google.Protobuf;
using Grpc.Core;
using Sim.Stack.Defects;
using Sim.Stack.Gateway.Contracts;
using Sim.Stack.Host;
using Sim.Stack.Rpc;

namespace Sim.Stack.Gateway;

/// <summary>
/// A party's site gateway (FATE's OSX): the one way in and out of a site. It checks who is calling (the peer
/// certificate's party must be the request's source, an exchange may relay any party), the hop count, the source
/// party's rate and the table's permission; then serves the request from its own party (a component, or a topic it
/// keeps) or forwards it to the next gateway by the route table, with retries, timeouts and pooled connections.
/// </summary>
public sealed class SiteGateway : Contracts.Gateway.GatewayBase
{
    private readonly IHost host;
    private readonly GatewayOptions options;
    private readonly RateLimiter limiter;
    private readonly ChannelPool pool;
    private readonly RequestLedger ledger;
    private readonly TopicQueues queues;

    private SiteGateway(IHost host, GatewayOptions options)
    {
        this.host = host;
        this.options = options;
        Routes = new LiveRoutes(host, options);
        limiter = new RateLimiter(host, options.RatePerSecond, options.Burst);
        pool = new ChannelPool(host, options.PoolSize, options.DialTls);
        ledger = RequestLedger.Recover(host, options.DedupeRetention);
        queues = TopicQueues.Recover(host, options.VisibilityTimeout);
    }

    public LiveRoutes Routes { get; }

    /// <summary>The process entry point: recover the queues and the ledger, load the table, serve, watch the table file.</summary>
    public static SiteGateway Start(IHost host, GatewayOptions options)
    {
        var gateway = new SiteGateway(host, options);
        host.Spawn("gateway", gateway.RunAsync);
        return gateway;
    }

    public override async Task<Outbound> Invoke(Inbound request, ServerCallContext context)
    {
        RequestHead? head = null;
        try
        {
            head = RequestHead.Parse(request.Metadata);
            var caller = Authenticate(context, head);
            if (head.Hops > options.MaxHops)
            {
                throw Refuse(StatusCode.FailedPrecondition, $"hop limit exceeded: request {head.RequestId} arrived after {head.Hops} gateway hops (limit {options.MaxHops})");
            }

            limiter.Admit(head);
            var table = Routes.Current;
            Authorize(head, caller, table);
            return await DispatchAsync(head, request, context);
        }
        catch (RpcException e)
        {
            host.Log.Event(new RequestRefused(head?.RequestId ?? request.Metadata.GetValueOrDefault(GatewayHeaders.TraceId, "-"), head?.Source ?? "-", head?.Target ?? "-", head?.Method ?? "-", e.StatusCode, e.Status.Detail, e is not GatewayRefusal));
            throw;
        }
    }

    public override async Task<RouteTableReply> SetRouteTable(RouteTableRequest request, ServerCallContext context)
    {
        var admin = Subject(context);
        if (admin is null || !options.Admins.Contains(admin))
        {
            var refusal = $"'{admin ?? "anonymous"}' is not an administrator of {host.Name}";
            host.Log.Event(new RouteTableRejected($"non-admin {admin ?? "anonymous"}", refusal, Routes.Current.Version));
            throw Refuse(StatusCode.PermissionDenied, refusal);
        }

        try
        {
            return new RouteTableReply { Version = await Routes.PushAsync(request.Data, admin, context.CancellationToken) };
        }
        catch (RouteTableException e)
        {
            throw Refuse(StatusCode.InvalidArgument, $"route table rejected: {e.Message}");
        }
    }

    private async Task RunAsync(CancellationToken lifetime)
    {
        await Routes.StartAsync();
        var server = new RpcServer(host, options.ListenAddress, options.Port, options.ServerTls);
        server.AddService(Contracts.Gateway.BindService(this));
        server.Start();
        host.Log.Event(new GatewayServing(options.Party, options.Port, Routes.Current.Version));
        await Routes.WatchAsync(lifetime);
    }

    /// <summary>The party the caller speaks for, which must be the request's source unless the caller is an exchange.</summary>
    private string Authenticate(ServerCallContext context, RequestHead head)
    {
        var subject = Subject(context);
        string? party;
        if (subject is null)
        {
            // A plaintext gateway trusts its network: every caller is one of its own party's applications.
            party = options.ServerTls is null ? options.Party : throw Refuse(StatusCode.Unauthenticated, "a client certificate is required");
        }
        else if (!options.Parties.TryGetValue(subject, out party))
        {
            throw Refuse(StatusCode.PermissionDenied, $"peer certificate '{subject}' speaks for no party {host.Name} knows");
        }

        if (party != RouteTable.Default && party != head.Source)
        {
            throw Refuse(StatusCode.PermissionDenied, $"'{subject}' speaks for party {party}, not for party {head.Source}");
        }

        return party;
    }

    private void Authorize(RequestHead head, string caller, RouteTable table)
    {
        if (head.Source != options.Party && !table.Permission.Allows(head.Source, head.Target))
        {
            throw Refuse(StatusCode.PermissionDenied, $"party {head.Source} may not call {head.Target}");
        }

        if (head.Method is GatewayMethods.Consume or GatewayMethods.Ack && head.Target == options.Party && caller != options.Party)
        {
            throw Refuse(StatusCode.PermissionDenied, $"party {head.Source} may not take messages from topics of party {head.Target}: only its own applications do");
        }
    }

    private async Task<Outbound> DispatchAsync(RequestHead head, Inbound request, ServerCallContext context)
    {
        if (head.Target == options.Party && head.IsQueue)
        {
            return await ServeQueueAsync(head, request, context.CancellationToken);
        }

        return Resolve(head).ToGateway
            ? await ForwardAsync(head, request, context)
            : await ledger.RunOnceAsync(head.RequestId, () => DeliverAsync(head, request, context), host.Lifetime);
    }

    /// <summary>
    /// The route of <paramref name="head"/> in the table live now: every forwarding decision (each try included) looks
    /// up the current table once, so a reload between tries is honoured and a decision never mixes two tables.
    /// </summary>
    private (RouteTable Table, RouteMatch Match, bool ToGateway) Resolve(RequestHead head)
    {
        var table = Routes.Current;
        var (match, toGateway) = Route(head, table)
            ?? throw NoRoute(head);
        return (table, match, toGateway);
    }

    private static GatewayRefusal NoRoute(RequestHead head) =>
        Refuse(StatusCode.Unavailable, $"no route to party {head.Target} component {(head.Component.Length == 0 ? RouteTable.Default : head.Component)}");

    /// <summary>Where the table sends a request: to a component of the gateway's own party, or to the next gateway.</summary>
    private (RouteMatch Match, bool ToGateway)? Route(RequestHead head, RouteTable table)
    {
        if (head.Target != options.Party)
        {
            return table.Resolve(head.Target, head.Component) is { } other ? (other, true) : null;
        }

        if (table.ResolveOwn(head.Target, head.Component) is { } own)
        {
            return (own, false);
        }

        // The defect: an own-party component missing from the own entry falls back to the global default, which
        // leads off the site (to the exchange), which sends the request back.
        return options.Defects.IsOn(DefectCatalogue.SelfRouteViaDefault) && table.Resolve(RouteTable.Default, head.Component) is { } fallback
            ? (fallback, true)
            : null;
    }

    private async Task<Outbound> ForwardAsync(RequestHead head, Inbound request, ServerCallContext context)
    {
        if (head.Hops + 1 > options.MaxHops)
        {
            throw Refuse(StatusCode.FailedPrecondition, $"hop limit exceeded: request {head.RequestId} to party {head.Target} would take gateway hop {head.Hops + 1} (limit {options.MaxHops})");
        }

        var next = request.Clone();
        head.WriteNextHop(next.Metadata);
        for (var attempt = 1; ; attempt++)
        {
            var (table, match, toGateway) = Resolve(head);
            if (!toGateway)
            {
                // A reload between tries gave the own party the component: it is served on this site after all.
                return await ledger.RunOnceAsync(head.RequestId, () => DeliverAsync(head, request, context), host.Lifetime);
            }

            var endpoint = Pick(match);
            if (endpoint.Port == options.Port && (endpoint.Host == options.ListenAddress || options.SelfNames.Contains(endpoint.Host)))
            {
                throw Refuse(StatusCode.FailedPrecondition, $"{match.Path} points back at this gateway ({endpoint.Address}): a routing loop");
            }

            host.Log.Event(new RequestRouted(head.RequestId, head.Source, head.Target, head.Component, head.Method, head.Hops, table.Version, match.Path, endpoint.Address, true, attempt));
            try
            {
                return await new Contracts.Gateway.GatewayClient(pool.For(endpoint)).InvokeAsync(next, deadline: AttemptDeadline(context), cancellationToken: context.CancellationToken);
            }
            catch (RpcException e) when (attempt < options.Tries && Retriable(e, context))
            {
                host.Log.Event(new ForwardRetried(head.RequestId, endpoint.Address, attempt, e.StatusCode, e.Status.Detail));
                await host.Clock.Delay(options.RetryDelay, context.CancellationToken);
            }
        }
    }

    /// <summary>One try to the component: it may not be idempotent, so a failure is the caller's to judge.</summary>
    private async Task<Outbound> DeliverAsync(RequestHead head, Inbound request, ServerCallContext context)
    {
        var (table, match, toGateway) = Resolve(head);
        if (toGateway)
        {
            // The ledger's flush let a reload in that took the component away from this site: it has none now.
            throw NoRoute(head);
        }

        var endpoint = Pick(match);
        host.Log.Event(new RequestRouted(head.RequestId, head.Source, head.Target, head.Component, head.Method, head.Hops, table.Version, match.Path, endpoint.Address, false, 1));
        // Not cut short when the first caller goes away (a broken connection upstream, a TLS session expiring): the
        // ledger answers that caller's retry with this delivery's outcome, which must be the component's, not "Cancelled".
        var reply = await new Contracts.Component.ComponentClient(pool.For(endpoint)).InvokeAsync(request, deadline: AttemptDeadline(context), cancellationToken: host.Lifetime);
        reply.Metadata[GatewayHeaders.ServedBy] = options.Party;
        return reply;
    }

    private async Task<Outbound> ServeQueueAsync(RequestHead head, Inbound request, CancellationToken cancellationToken)
    {
        var topic = head.Topic!;
        switch (head.Method)
        {
            case GatewayMethods.Produce:
                QueueMessage message;
                try
                {
                    message = QueueMessage.Parser.ParseFrom(request.Payload);
                }
                catch (InvalidProtocolBufferException e)
                {
                    throw Refuse(StatusCode.InvalidArgument, $"PRODUCE_MSG payload is not a message: {e.Message}");
                }

                message.Source = head.Source;
                message.MsgId = message.MsgId.Length > 0 ? message.MsgId : head.RequestId;
                return Done(await queues.ProduceAsync(topic, message, cancellationToken), null);
            case GatewayMethods.Consume:
                var taken = await queues.ConsumeAsync(topic, options.ConsumeWait, cancellationToken);
                return taken is null
                    ? new Outbound { Code = "NO_MESSAGE", Message = $"no message on {topic} within {options.ConsumeWait.TotalSeconds.ToString(CultureInfo.InvariantCulture)}s" }
                    : Done(taken.Offset, taken);
            default:
                var offset = head.Offset!.Value;
                return await queues.AckAsync(topic, offset, cancellationToken)
                    ? Done(offset, null)
                    : throw Refuse(StatusCode.NotFound, $"topic {topic} has no message at offset {offset}");
        }
    }

    private Outbound Done(long offset, QueueMessage? message)
    {
        var reply = new Outbound { Code = "0", Message = "ok" };
        reply.Metadata[GatewayHeaders.MessageOffset] = offset.ToString(CultureInfo.InvariantCulture);
        reply.Metadata[GatewayHeaders.ServedBy] = options.Party;
        if (message is not null)
        {
            reply.Payload = message.ToByteString();
        }

        return reply;
    }

    private RouteEndpoint Pick(RouteMatch match) => match.Endpoints.Count == 1 ? match.Endpoints[0] : match.Endpoints[host.Random.Next(match.Endpoints.Count)];

    private DateTime AttemptDeadline(ServerCallContext context)
    {
        var attempt = host.Clock.UtcNow + options.CallTimeout;
        return context.Deadline < attempt ? context.Deadline : attempt;
    }

    private bool Retriable(RpcException e, ServerCallContext context) =>
        !context.CancellationToken.IsCancellationRequested
        && (e.StatusCode == StatusCode.Unavailable || (e.StatusCode == StatusCode.DeadlineExceeded && host.Clock.UtcNow < context.Deadline));

    private static string? Subject(ServerCallContext context) =>
        context.AuthContext.FindPropertiesByName("x509_common_name").FirstOrDefault()?.Value;

    private static GatewayRefusal Refuse(StatusCode status, string detail) => new(status, detail);
}
