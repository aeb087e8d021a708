using Grpc.Core;
using Sim.Worlds;

namespace Sim.Scenarios;

/// <summary>
/// "Every failure names its cause", for any scenario: a call a user made that failed must say why — a status and a
/// non-empty detail — so the user can tell one failure from another (a bare status is not a clear error). A scenario
/// hands each failed call its users saw to <see cref="Require"/> (the register's writes, reads and scans; the fleet's
/// node, driver and probe calls).
/// </summary>
public static class FailureCause
{
    public const string Invariant = "failures-name-their-cause";

    /// <summary>Fails the run when <paramref name="status"/> is a failure whose <paramref name="detail"/> is empty.</summary>
    public static void Require(ScenarioContext context, LoggedEvent at, string operation, StatusCode status, string detail)
    {
        if (status != StatusCode.OK && string.IsNullOrWhiteSpace(detail))
        {
            context.Fail(Invariant, $"{at.Subject}'s {operation} failed with a bare {status}: no detail names the cause");
        }
    }
}
