using Sim.Stack.Defects;

namespace Sim.Oracles;

/// <summary>
/// The oracle suite Stryker runs against every mutant of src/: each scenario of the catalogue, with no
/// defect planted, under its fault profiles and strategies on fixed seeds (<see cref="OracleBudgets"/>).
/// A case fails when any invariant is violated, so a mutant that breaks what an invariant watches is killed.
/// </summary>
public sealed class InvariantOracleTests
{
    public const string Category = "Oracle";

    public static TheoryData<string> Cases => new(OracleBudgets.All.Select(c => c.Id));

    [Theory]
    [Trait("Category", Category)]
    [MemberData(nameof(Cases))]
    public void NoInvariantIsViolatedWithoutAPlantedDefect(string id)
    {
        var violation = OracleRun.FirstViolation(OracleBudgets.Find(id), DefectSet.None, OracleBudgets.Scale());

        Assert.True(violation is null, violation);
    }
}
