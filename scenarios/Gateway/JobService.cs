using Google.Protobuf;
using Grpc.Core;
using Sim.Stack.Gateway;
using Sim.Stack.Gateway.Contracts;
using Sim.Stack.Host;
using Sim.Stack.Rpc;

namespace Sim.Scenarios.Gateway;

/// <summary>
/// A party's job service behind its gateway (FATE-Flow's role, component <c>fateflow</c>): it runs every request it
/// gets — submitting a job twice runs it twice, so it is not idempotent — and answers with the job it accepted.
/// </summary>
public sealed class JobService : Component.ComponentBase
{
    private readonly IHost host;
    private readonly string party;

    private JobService(IHost host, string party)
    {
        this.host = host;
        this.party = party;
    }

    public int Executed { get; private set; }

    public static JobService Start(IHost host, string party, string address, int port, TlsServerOptions? tls)
    {
        var service = new JobService(host, party);
        var server = new RpcServer(host, address, port, tls);
        server.AddService(Component.BindService(service));
        server.Start();
        return service;
    }

    public override Task<Outbound> Invoke(Inbound request, ServerCallContext context)
    {
        var id = request.Metadata.GetValueOrDefault(GatewayHeaders.TraceId, "");
        Executed++;
        host.Log.Event(new JobExecuted(id, party, request.Metadata.GetValueOrDefault(GatewayHeaders.TargetNodeId, ""), request.Metadata.GetValueOrDefault(GatewayHeaders.SourceNodeId, "")));
        return Task.FromResult(new Outbound { Code = "0", Message = "job accepted", Payload = ByteString.CopyFromUtf8($"{id} accepted by {party}") });
    }
}
