using Sim.Stack.Register;

namespace Sim.Scenarios.Register;

/// <summary>
/// Eligibility, judged from the model: only the primary gives writes their versions, and a replica holds only
/// versions the primary gave, with the values it gave them — so the backup took replication from the primary
/// alone (a rogue caller's replication, refused, leaves no trace), and neither replica invents or mixes up data.
/// </summary>
public sealed class RegisterEligibility
{
    public const string OnlyPrimaryAssigns = "only-the-primary-gives-versions";
    public const string ReplicasHoldOnlyPrimaryWrites = "replicas-hold-only-what-the-primary-wrote";

    public RegisterEligibility(ScenarioContext context, RegisterModel model, Live<RegisterReplica> primary, Live<RegisterReplica> backup)
    {
        context.On<WriteApplied>((e, at) =>
        {
            if (at.Subject != primary.Name)
            {
                context.Fail(OnlyPrimaryAssigns, $"{at.Subject} gave a client's write the version {e.Key}@v{e.Version}: only {primary.Name} takes writes");
            }
        });
        context.Always(ReplicasHoldOnlyPrimaryWrites, () => Foreign(model, primary) ?? Foreign(model, backup));
    }

    private static string? Foreign(RegisterModel model, Live<RegisterReplica> replica) =>
        replica.Current?.Entries.Values.FirstOrDefault(e => model.AssignedValue(e.Key, e.Version) != e.Value) is { } foreign
            ? $"{replica.Name} holds {foreign}, but the primary gave v{foreign.Version} of {foreign.Key} {Given(model, foreign)}"
            : null;

    private static string Given(RegisterModel model, RegisterEntry entry) =>
        model.AssignedValue(entry.Key, entry.Version) is { } value ? $"the value '{value}'" : "to no write";
}
