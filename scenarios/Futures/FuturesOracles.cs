using Sim.Stack.Futures;

namespace Sim.Scenarios.Futures;

/// <summary>
/// Every futures invariant, wired for one scenario: the ledger of what users did, the reference models of the
/// scheduler and the clients (compared after every step), accounting from the users' side, resources once the run
/// has settled, and the reconnect and reason rules of SCENARIOS.md section 2.
/// </summary>
public sealed class FuturesOracles
{
    /// <param name="options">What the users' clients are configured with (deadlines, retry interval, call timeout).</param>
    /// <param name="deadline">The clients' reconnect deadline plus the slack a client is allowed past it.</param>
    /// <param name="settle">How long before the horizon a future must have been submitted to be owed an outcome.</param>
    public FuturesOracles(ScenarioContext context, Live<Scheduler> scheduler, FuturesClientOptions options, TimeSpan deadline, TimeSpan settle)
    {
        Ledger = new FuturesLedger();
        Scheduler = new SchedulerModel(context, scheduler);
        Clients = new ClientModel(context, Ledger, Scheduler);
        Accounting = new FuturesAccounting(context, Ledger, scheduler, settle);
        Resources = new FuturesResources(context, Ledger, scheduler);
        Checker = new FuturesChecker(context, Ledger, options, deadline);
        Security = new FuturesSecurity(context);
        Messages = new FuturesMessages(context);
        Submissions = new FuturesSubmissions(context, Ledger, options.RetryInterval);
    }

    public FuturesLedger Ledger { get; }

    public SchedulerModel Scheduler { get; }

    public ClientModel Clients { get; }

    public FuturesAccounting Accounting { get; }

    public FuturesResources Resources { get; }

    public FuturesChecker Checker { get; }

    public FuturesSecurity Security { get; }

    public FuturesMessages Messages { get; }

    public FuturesSubmissions Submissions { get; }
}
