using Sim.Stack.Cluster;
using Sim.Stack.Defects;
using Sim.Stack.Host;
using Sim.Stack.Psi.Contracts;

namespace Sim.Stack.Psi;

/// <summary>
/// The PSI actor (SPU's PSI on a Ray actor): read and check the input before any traffic, bind the link server, run
/// ECDH-PSI with the peer, and end. Its link server binds the address of the machine the scheduler placed it on; the
/// party's advertised address reaches it there through the head's proxy (SecretFlow's fix of issues 1766/1770: a listen
/// address apart from the advertised one). With the defect <c>advertised-head-address</c> it binds the advertised
/// address wherever it runs, which only the head machine owns.
/// </summary>
public static class PsiActor
{
    public const string ClassName = "psi";

    /// <summary>The actor class, as a node agent runs it: <paramref name="serverTls"/> and <paramref name="dialTls"/> are the party's certificate's.</summary>
    public static ActorMain Main(LinkOptions link, TlsServerOptions serverTls, Func<string, TlsClientOptions> dialTls, DefectSet defects) =>
        (host, context) => RunAsync(host, context, link, serverTls, dialTls, defects);

    /// <summary>The methods the head's proxy forwards on the link port.</summary>
    public static IReadOnlyList<string> LinkMethods { get; } = [$"/{Link.Descriptor.FullName}/Push"];

    private static async Task<byte[]> RunAsync(IHost host, ActorContext context, LinkOptions link, TlsServerOptions serverTls, Func<string, TlsClientOptions> dialTls, DefectSet defects)
    {
        var task = PsiTask.Parser.ParseFrom(context.Args.Span);
        var items = ItemFile.Parse(task.InputPath, host.Disk.Read(task.InputPath));
        host.Log.Event(new PsiInputRead(task.Party, task.Attempt, items.Count));
        var bindAddress = defects.IsOn(DefectCatalogue.AdvertisedHeadAddress) ? task.AdvertisedHost : context.Address;
        LinkEndpoint endpoint;
        try
        {
            endpoint = LinkEndpoint.Bind(host, task, bindAddress, serverTls);
        }
        catch (NetworkException e)
        {
            throw new ActorFailure(PsiErrors.Bind, $"{task.Party}'s link server cannot listen on {bindAddress}:{task.LinkPort} on {context.Machine}: {e.Message}");
        }

        using (endpoint)
        {
            host.Log.Event(new LinkBound(task.Party, task.Attempt, context.Machine, bindAddress, task.LinkPort));
            var peer = new LinkClient(host, task.Party, task.Peer, task.PeerHost, task.PeerPort, link, dialTls(task.Peer));
            try
            {
                var intersection = await new EcdhPsi(host, task, endpoint, peer, link, context.Stopped).RunAsync(items);
                host.Log.Event(new PsiAttemptSucceeded(task.Party, task.Attempt, context.Machine, intersection));
                return BitConverter.GetBytes(intersection?.Count ?? -1);
            }
            catch (FedRemoteError e)
            {
                throw new ActorFailure(e.Final ? PsiErrors.RemoteFinal : PsiErrors.Remote, e.Message);
            }
        }
    }
}
