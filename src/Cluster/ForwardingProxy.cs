using Grpc.Core;
using Sim.Stack.Host;
using Sim.Stack.Rpc;

namespace Sim.Stack.Cluster;

/// <summary>
/// A forwarding proxy on the head: it serves the party's advertised address (the head's) on a port and forwards every
/// unary call of the named methods to an actor on another machine, as an L7 proxy terminating mTLS does (Envoy's
/// <c>x-forwarded-client-cert</c>): the caller's certificate subject travels in <see cref="ForwardedClientHeader"/>,
/// which the actor trusts only from its own party's certificate.
/// </summary>
public sealed class ForwardingProxy : IDisposable
{
    /// <summary>The header carrying the original caller's certificate subject.</summary>
    public const string ForwardedClientHeader = "x-forwarded-client-cert";

    private static readonly Marshaller<byte[]> Bytes = Marshallers.Create(b => b, b => b);

    private readonly IHost host;
    private readonly RpcServer server;
    private readonly RpcChannel target;

    private ForwardingProxy(IHost host, RpcServer server, RpcChannel target)
    {
        this.host = host;
        this.server = server;
        this.target = target;
    }

    public string Target => target.Target;

    /// <summary>Binds <paramref name="address"/>:<paramref name="port"/> and forwards <paramref name="methods"/> (full names, <c>/pkg.Service/Method</c>) to the target.</summary>
    public static ForwardingProxy Start(IHost host, string address, int port, TlsServerOptions tls, string targetAddress, int targetPort, TlsClientOptions dialTls, IReadOnlyList<string> methods)
    {
        var server = new RpcServer(host, address, port, tls);
        var proxy = new ForwardingProxy(host, server, new RpcChannel(host, targetAddress, targetPort, dialTls));
        var builder = ServerServiceDefinition.CreateBuilder();
        foreach (var full in methods)
        {
            var (service, name) = Split(full);
            var method = new Method<byte[], byte[]>(MethodType.Unary, service, name, Bytes, Bytes);
            builder.AddMethod(method, (request, context) => proxy.ForwardAsync(method, request, context));
        }

        server.AddService(builder.Build());
        server.Start();
        return proxy;
    }

    public void Dispose() => server.Shutdown();

    private async Task<byte[]> ForwardAsync(Method<byte[], byte[]> method, byte[] request, ServerCallContext context)
    {
        var headers = new Metadata();
        foreach (var entry in context.RequestHeaders.Where(e => !e.IsBinary && e.Key != ForwardedClientHeader))
        {
            headers.Add(entry.Key, entry.Value);
        }

        var caller = context.AuthContext.FindPropertiesByName("x509_common_name").FirstOrDefault()?.Value;
        if (caller is not null)
        {
            headers.Add(ForwardedClientHeader, caller);
        }

        var options = new CallOptions(headers, context.Deadline == DateTime.MaxValue ? host.Clock.UtcNow + TimeSpan.FromSeconds(5) : context.Deadline, context.CancellationToken);
        return await target.AsyncUnaryCall(method, null, options, request);
    }

    private static (string Service, string Method) Split(string full)
    {
        var parts = full.Trim('/').Split('/');
        return parts.Length == 2 ? (parts[0], parts[1]) : throw new ArgumentException($"'{full}' is not a full method name (/package.Service/Method)");
    }
}
