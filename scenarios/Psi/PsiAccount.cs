using Sim.Stack.Cluster;
using Sim.Stack.Psi;

namespace Sim.Scenarios.Psi;

/// <summary>The run's readable account (sim run), told from the same typed events the checkers read.</summary>
public sealed class PsiAccount
{
    private readonly Dictionary<string, List<string>> lines = new(StringComparer.Ordinal);
    private readonly Dictionary<Sim.Scenarios.Psi.ProbeKind, int> probes = [];

    public PsiAccount(ScenarioContext context, PsiTopology topology, PsiWorkload workload)
    {
        foreach (var party in topology.Parties)
        {
            lines[party.Name] = [];
        }

        void Add(string party, TimeSpan at, string text) => lines[party].Add($"    {at.TotalSeconds:F3}s {text}");
        context.On<ActorPlaced>((e, at) => Add(e.Party, at.Time, $"{e.ActorId} placed on {e.Machine}{(e.Proxied ? ", advertised address forwarded by the head" : "")}"));
        context.On<NodeDeclaredDead>((e, at) => Add(e.Party, at.Time, $"{e.NodeId} on {e.Machine} declared dead"));
        context.On<PsiHandshake>((e, at) => Add(e.Party, at.Time, $"attempt {e.Attempt}: handshake {e.Curve}, result to {e.Receivers}"));
        context.On<PsiAttemptSucceeded>((e, at) => Add(e.Party, at.Time, $"attempt {e.Attempt} done{(e.Intersection is { } i ? $": {i.Count} item(s) in the intersection" : "")}"));
        context.On<PsiAttemptFailed>((e, at) => Add(e.Party, at.Time, $"attempt {e.Attempt} failed ({e.ErrorKind}): {e.Cause}"));
        context.On<RemoteErrorReceived>((e, at) => Add(e.Party, at.Time, $"FedRemoteError from {e.From} on {e.Machine}: {e.Cause}"));
        context.On<PsiJobEnded>((e, at) => Add(e.Party, at.Time, e.Completed ? "job completed" : $"job failed ({e.ErrorKind})"));
        context.On<ProbeAnswered>((e, _) => probes[e.Probe] = probes.GetValueOrDefault(e.Probe) + 1);
        context.Account(() =>
        [
            $"incident: {workload.Incident}{(workload.Incident == PsiIncident.None ? "" : $" at {workload.Victim}")}; curve {workload.Curve}, result to {workload.Receivers}, {workload.MaxAttempts} attempt(s) allowed",
            $"true intersection: {topology.Intersection.Count} item(s)",
            .. topology.Parties.SelectMany(p => (IEnumerable<string>)[$"{p.Name}: {p.Size} machine(s), {p.Items.Count} item(s){(p.Breakage == BadInput.None ? "" : $", input broken ({p.Breakage})")}", .. lines[p.Name]]),
            $"probes answered: {string.Join(", ", probes.Select(p => $"{p.Key} {p.Value}"))}",
        ]);
    }
}
