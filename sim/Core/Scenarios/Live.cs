using Sim.Stack.Host;
using Sim.Worlds;

namespace Sim.Scenarios;

/// <summary>
/// A service or client made in one call (<see cref="ScenarioContext.Service{T}"/>, <see cref="ScenarioContext.Client{T}"/>):
/// where it runs, how to reach it, and its TLS identity. Its certificate sits in a rotatable slot named after it.
/// </summary>
public abstract class Live
{
    private readonly TrustStore trust;

    private protected Live(string name, int index, Site site, SimProcess process, string dnsName, int port, CertificateSlot certificate, TrustStore trust, TlsServerOptions serverTls)
    {
        Name = name;
        Index = index;
        Site = site;
        Process = process;
        DnsName = dnsName;
        Port = port;
        Certificate = certificate;
        ServerTls = serverTls;
        this.trust = trust;
    }

    /// <summary>The process's name.</summary>
    public string Name { get; }

    /// <summary>Its position among the replicas or clients made in the same call (0 for one made alone).</summary>
    public int Index { get; }

    public Site Site { get; }

    public SimProcess Process { get; }

    public Machine Machine => Process.Machine;

    /// <summary>The machine's (first) address.</summary>
    public string Address => Machine.Addresses[0];

    /// <summary>The name that resolves to <see cref="Address"/> and that its certificate carries.</summary>
    public string DnsName { get; }

    /// <summary>The port it serves on (0 for a client).</summary>
    public int Port { get; }

    /// <summary>Its certificate slot (named after it): rotate it with <c>FaultAction.RotateCertificate(Name)</c>.</summary>
    public CertificateSlot Certificate { get; }

    /// <summary>What the service listens with: the slot's current certificate, and client trust when it wants mTLS.</summary>
    public TlsServerOptions ServerTls { get; }

    /// <summary>How anyone dials this service by name, trusting every site's authority, without a client certificate.</summary>
    public TlsClientOptions ClientTls => new(DnsName, trust);

    public bool IsUp => Process.IsUp;

    public int Incarnation => Process.Incarnation;

    /// <summary>How this process dials <paramref name="server"/>, presenting its own certificate (for mTLS).</summary>
    public TlsClientOptions TlsTo(Live server) => TlsTo(server.DnsName);

    /// <summary>How this process dials the service named <paramref name="serverName"/>, presenting its own certificate.</summary>
    public TlsClientOptions TlsTo(string serverName) => new(serverName, trust, Certificate.Current);

    public override string ToString() => Name;
}

/// <summary>
/// A service or client whose start function returns an instance: <see cref="Current"/> follows restarts (each
/// incarnation's start sets it), so checkers never capture the instance by hand.
/// </summary>
/// <typeparam name="T">What the start function returns (a <see cref="Task"/> for a process that is one long main).</typeparam>
public sealed class Live<T> : Live
    where T : class
{
    private readonly List<T> incarnations = [];
    private int startedIncarnation;

    internal Live(string name, int index, Site site, SimProcess process, string dnsName, int port, CertificateSlot certificate, TrustStore trust, TlsServerOptions serverTls)
        : base(name, index, site, process, dnsName, port, certificate, trust, serverTls)
    {
    }

    /// <summary>The running incarnation's instance; null while the process is down or before it started.</summary>
    public T? Current => Process.IsUp && startedIncarnation == Process.Incarnation ? Last : null;

    /// <summary>The latest incarnation's instance, even if that incarnation has died since.</summary>
    public T? Last => incarnations.Count == 0 ? null : incarnations[^1];

    /// <summary>Every incarnation's instance, in the order they started.</summary>
    public IReadOnlyList<T> Incarnations => incarnations;

    internal void Started(int incarnation, T instance)
    {
        startedIncarnation = incarnation;
        incarnations.Add(instance);
    }
}
