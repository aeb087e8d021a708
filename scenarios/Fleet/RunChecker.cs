using Grpc.Core;
using Sim.Stack.Fleet;
using Sim.Worlds;

namespace Sim.Scenarios.Fleet;

/// <summary>
/// Runs, as a node gets them (GetRun): a node that runs a task has the run's definition — the fab the driver created
/// the run with — fetched by the incarnation that received the task before its result is stored; every definition a
/// node receives is one a coordinator created under that run id; and a node is told a run is not found only when the
/// coordinator that handed it the run's task has restarted since (an in-memory restart forgets runs; the one that
/// handed the task out holds its run).
/// </summary>
public sealed class RunChecker
{
    public const string NodeHasTheRunItRuns = "node-runs-tasks-with-their-run's-definition";

    private readonly HashSet<(long Run, string Fab)> created = [];
    private readonly Dictionary<string, long> runOf = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> handedOutInStart = new(StringComparer.Ordinal);
    private readonly Dictionary<string, HashSet<long>> fetched = new(StringComparer.Ordinal);
    private readonly Dictionary<string, (string Process, HashSet<long> Fetched)> receivedBy = new(StringComparer.Ordinal);

    public RunChecker(ScenarioContext context, FleetTopology fleet, FleetModel model)
    {
        var coordinator = fleet.Coordinator.Name;
        context.On<ProcessStarted>((_, at) => fetched[at.Subject] = []);
        context.On<TasksSubmitted>((e, _) =>
        {
            foreach (var task in e.Tasks)
            {
                runOf[task.Task] = task.Run;
            }
        });
        context.On<RunCreated>((e, at) => created.Add((e.Run, e.Fab)));
        context.On<TasksHandedOut>((e, at) =>
        {
            foreach (var task in e.Tasks.Where(_ => at.Subject == coordinator))
            {
                handedOutInStart[task] = model.Starts;
            }
        });
        context.On<RunFetched>((e, at) =>
        {
            if (!created.Contains((e.Run, e.Fab)))
            {
                context.Fail(NodeHasTheRunItRuns, $"{at.Subject} fetched run {e.Run} as '{e.Fab}', but no coordinator created run {e.Run} with that fab (created: {string.Join(", ", created.Select(c => $"{c.Run}={c.Fab}"))})");
            }

            Fetched(at.Subject).Add(e.Run);
        });
        context.On<WorkReceived>((e, at) =>
        {
            foreach (var task in e.Tasks)
            {
                receivedBy[task] = (at.Subject, Fetched(at.Subject));
            }
        });
        context.On<ResultsStored>((e, at) =>
        {
            foreach (var result in e.Stored.Where(_ => at.Subject == coordinator))
            {
                if (receivedBy.TryGetValue(result.Task, out var by) && runOf.TryGetValue(result.Task, out var run) && !by.Fetched.Contains(run))
                {
                    context.Fail(NodeHasTheRunItRuns, $"{result.Task}'s result was stored from {by.Process}, whose incarnation that received it never fetched its run {run}");
                }
            }
        });
        context.On<NodeCallFailed>((e, at) =>
        {
            if (e.Call != "GetRun" || e.Status != StatusCode.NotFound)
            {
                return;
            }

            if (e.Lost.FirstOrDefault(t => handedOutInStart.TryGetValue(t, out var start) && start == model.Starts) is { } task)
            {
                context.Fail(NodeHasTheRunItRuns, $"{at.Subject} was told run {runOf.GetValueOrDefault(task)} is not found ({e.Detail}), but {coordinator} handed it {task} of that run and has not restarted since");
            }
        });
    }

    private HashSet<long> Fetched(string process) => fetched.TryGetValue(process, out var runs) ? runs : fetched[process] = [];
}
