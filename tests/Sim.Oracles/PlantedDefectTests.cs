using Sim.Scenarios;
using Sim.Stack.Defects;

namespace Sim.Oracles;

/// <summary>
/// The oracle suite can fail: each defect of the catalogue, planted, breaks an invariant within the oracle
/// budget of its scenario. Stryker leaves these out (stryker-config.json runs only the Oracle category): a
/// mutant that merely hides a planted defect says nothing about the oracles over unplanted bugs.
/// </summary>
public sealed class PlantedDefectTests
{
    public const string Category = "PlantedDefect";

    public static TheoryData<string> Defects => new(DefectCatalogue.All.Select(d => d.Name));

    [Theory]
    [Trait("Category", Category)]
    [MemberData(nameof(Defects))]
    public void EveryPlantedDefectIsCaughtWithinTheOracleBudget(string defect)
    {
        var scenario = ScenarioCatalog.HomeOf(defect)!.Name;
        var planted = new DefectSet([defect]);

        var caught = OracleBudgets.Of(scenario).Select(c => OracleRun.FirstViolation(c, planted)).FirstOrDefault(v => v is not null);

        Assert.True(caught is not null, $"{defect} was not caught by any oracle case of {scenario}");
    }
}
