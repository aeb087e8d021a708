using Sim.Scenarios;

namespace Sim.Oracles;

/// <summary>The oracle suite's budgets: every scenario is in it, and the scale knob is strict.</summary>
public sealed class OracleBudgetTests
{
    [Fact]
    public void EveryCatalogueScenarioHasOracleCasesWithAKnownProfileAndStrategy()
    {
        foreach (var scenario in ScenarioCatalog.All)
        {
            var cases = OracleBudgets.Of(scenario.Name);
            Assert.NotEmpty(cases);
            Assert.All(cases, c =>
            {
                Assert.Contains(c.Strategy, Engine.RunConfig.Strategies);
                Assert.True(c.Seeds > 0, c.Id);
                _ = c.FaultProfile;
                Assert.Equal(scenario.Name, c.Build().Name);
            });
        }

        Assert.Equal(OracleBudgets.All.Count, OracleBudgets.All.Select(c => c.Id).Distinct().Count());
    }

    [Fact]
    public void AScenarioWithoutABudgetEntryStillRunsUnderFaultsAndBothStrategies()
    {
        var cases = OracleBudgets.Fallback("gateway");

        Assert.Contains(cases, c => c.Profile != "default");
        Assert.Equal(["pct", "random"], cases.Select(c => c.Strategy).Distinct().Order());
    }

    [Theory]
    [InlineData(null, 1)]
    [InlineData("", 1)]
    [InlineData("4", 4)]
    public void TheScaleVariableMultipliesTheSeeds(string? value, int scale) => Assert.Equal(scale, OracleBudgets.Scale(value));

    [Theory]
    [InlineData("0")]
    [InlineData("-2")]
    [InlineData("lots")]
    public void ABadScaleIsRefusedByName(string value)
    {
        var e = Assert.Throws<ArgumentException>(() => OracleBudgets.Scale(value));
        Assert.Contains(OracleBudgets.ScaleVariable, e.Message, StringComparison.Ordinal);
    }
}
