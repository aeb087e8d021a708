using System.Globalization;
using Sim.Stack.Scheduler;
using Sim.Stack.Scheduler.Contracts;

namespace Sim.Scenarios.SchedulerFailover;

/// <summary>
/// Each replica's terms, judged against the store (eligibility, model-based on <see cref="StoreModel"/> through
/// <see cref="FencingChecker"/>'s terms): a replica leads only at an epoch the store granted it; it steps down only from
/// the term it leads, for one of the reasons the elector documents, each true of what happened — "could not renew for"
/// the configured renew deadline, "the lease moved on to epoch N" where the store granted that replica epoch N, or "the
/// store fenced epoch E: reason" where the store refused that replica's write at E with exactly that reason; and a
/// job's submit is answered by the replica that held the epoch the answer names (the user reads who accepted it and at
/// which term).
/// </summary>
public sealed class TermChecker
{
    public const string Invariant = "replicas-lead-only-terms-the-store-granted";

    private const string Fenced = "the store fenced epoch ";
    private const string MovedOn = "the lease moved on to epoch ";

    private readonly Dictionary<string, long> leading = new(StringComparer.Ordinal);
    private readonly HashSet<(string Writer, long Epoch, string Reason)> fenced = [];

    public TermChecker(ScenarioContext context, FencingChecker fencing, SchedulerOptions options)
    {
        bool Granted(string holder, long epoch) => fencing.Terms.Any(t => t.Holder == holder && t.Epoch == epoch);
        var renew = $"could not renew for {options.RenewDeadline.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture)}s";

        context.On<StoreWriteRefused>((e, _) =>
        {
            if (e.Reason.StartsWith("fenced", StringComparison.Ordinal))
            {
                fenced.Add((e.Writer, e.Epoch, e.Reason));
            }
        });
        context.On<LeaderElected>((e, at) =>
        {
            leading[at.Subject] = e.Epoch;
            if (!Granted(at.Subject, e.Epoch))
            {
                context.Fail(Invariant, $"{at.Subject} leads at epoch {e.Epoch}, which the store never granted it (terms: {Terms(fencing)})");
            }
        });
        context.On<LeaderStepDown>((e, at) =>
        {
            var replica = at.Subject;
            var wrong = !leading.TryGetValue(replica, out var term) || term != e.Epoch ? $"it leads {(leading.ContainsKey(replica) ? $"epoch {term}" : "no term")}"
                : e.Reason == renew ? null
                : e.Reason.StartsWith(MovedOn, StringComparison.Ordinal)
                    ? long.TryParse(e.Reason[MovedOn.Length..], NumberStyles.None, CultureInfo.InvariantCulture, out var moved) && moved != term && Granted(replica, moved) ? null
                    : $"the store never granted it that epoch (terms: {Terms(fencing)})"
                : e.Reason.StartsWith($"{Fenced}{term}: ", StringComparison.Ordinal)
                    ? fenced.Contains((replica, term, e.Reason[$"{Fenced}{term}: ".Length..])) ? null : "the store refused none of its writes at that epoch with that reason"
                : $"not a reason the elector gives (\"{renew}\", \"{MovedOn}N\", \"{Fenced}{term}: <the store's refusal>\")";
            if (wrong is not null)
            {
                context.Fail(Invariant, $"{replica} stepped down from epoch {e.Epoch} (\"{e.Reason}\"): {wrong}");
            }

            leading.Remove(replica);
        });
        context.On<JobSubmitted>((e, at) =>
        {
            if (!Granted(e.AcceptedBy, e.Epoch))
            {
                context.Fail(Invariant, $"{at.Subject}'s job {e.Job} was accepted by {e.AcceptedBy} at epoch {e.Epoch}, a term the store never granted it (terms: {Terms(fencing)})");
            }
        });
    }

    private static string Terms(FencingChecker fencing) => string.Join(", ", fencing.Terms.Select(t => $"{t.Epoch} {t.Holder}"));
}
