using System.Globalization;
using Sim.Stack.Cluster;
using Sim.Worlds;

namespace Sim.Scenarios.Psi;

/// <summary>
/// Model-based: the head's forwarding proxies against the placements, from the typed events. An actor placed off the
/// head machine is proxied (and one on the head is not); its proxy opens from the party's advertised address to the
/// address of the node it was placed on, on the link port, once; it closes with the same ends before its actor ends
/// or is unplaced, and nothing closes that was not open. A restarted head starts with no proxy.
/// </summary>
public sealed class ProxyModel
{
    public const string Invariant = "proxies-follow-placement";

    private readonly Dictionary<string, string> addresses = new(StringComparer.Ordinal);
    private readonly Dictionary<(string Party, string ActorId), string> target = [];
    private readonly Dictionary<(string Party, string ActorId), (string Listen, string Target)> open = [];

    public ProxyModel(ScenarioContext context, PsiTopology topology)
    {
        string Port(string address) => $"{address}:{PsiTopology.LinkPort.ToString(CultureInfo.InvariantCulture)}";
        void Fail(string message) => context.Fail(Invariant, message);
        context.On<ProcessStarted>((_, at) =>
        {
            if (topology.Parties.FirstOrDefault(p => p.Head.Name == at.Subject) is { } party)
            {
                foreach (var key in open.Keys.Where(k => k.Party == party.Name).ToList())
                {
                    open.Remove(key);
                }
            }
        });
        context.On<NodeRegistered>((e, _) => addresses[$"{e.Party}/{e.NodeId}"] = e.Address);
        context.On<ActorPlaced>((e, _) =>
        {
            var party = topology.Party(e.Party);
            if (e.Proxied != (e.Machine != party.Head.Machine.Name))
            {
                Fail($"{e.Details}; an actor is proxied exactly when it runs off the head machine ({party.Head.Machine.Name})");
            }

            target[(e.Party, e.ActorId)] = Port(addresses.GetValueOrDefault($"{e.Party}/{e.NodeId}") ?? "?");
        });
        context.On<ProxyChanged>((e, _) =>
        {
            var key = (e.Party, e.ActorId);
            var expected = (Listen: Port(topology.Party(e.Party).AdvertisedHost), Target: target.GetValueOrDefault(key) ?? "?");
            if (e.Open && (open.ContainsKey(key) || (e.Listen, e.Target) != expected))
            {
                Fail($"{e.Details} (open); {(open.ContainsKey(key) ? "it was open already" : $"the model forwards {expected.Listen} -> {expected.Target}")}");
            }
            else if (!e.Open && (!open.Remove(key, out var was) || (e.Listen, e.Target) != was))
            {
                Fail($"{e.Details} (closed); {(was == default ? "it was not open" : $"the open proxy was {was.Listen} -> {was.Target}")}");
            }

            if (e.Open)
            {
                open[key] = (e.Listen, e.Target);
            }
        });
        void Ended(string party, string actorId, string what)
        {
            if (open.ContainsKey((party, actorId)))
            {
                Fail($"{party}'s actor {actorId} {what} with its proxy still open");
            }
        }

        context.On<ActorEnded>((e, _) => Ended(e.Party, e.ActorId, "ended"));
        context.On<ActorUnplaced>((e, _) => Ended(e.Party, e.ActorId, "was unplaced"));
    }
}
