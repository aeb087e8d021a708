using Sim.Stack.Defects;
using Sim.Stack.Host;

namespace Sim.Stack.Scheduler;

/// <summary>How the party's store runs and whom it trusts.</summary>
/// <param name="ListenAddress">The address to bind.</param>
/// <param name="Port">The port to bind.</param>
/// <param name="ServerTls">mTLS settings: callers are known by their certificate's common name.</param>
/// <param name="Replicas">Certificate names of the scheduler replicas: only they may write the lease and, at their epoch, the fenced prefixes.</param>
/// <param name="Workers">Certificate names of the workers: each writes only its own heartbeat and reports.</param>
/// <param name="Defects">The defect switches on for this run.</param>
public sealed record StoreOptions(string ListenAddress, int Port, TlsServerOptions? ServerTls, IReadOnlySet<string> Replicas, IReadOnlySet<string> Workers, DefectSet Defects);
