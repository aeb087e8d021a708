namespace Sim.Scenarios;

/// <summary>A scenario written inline (tests, experiments): a name and a build method.</summary>
public sealed class InlineScenario(string name, Action<ScenarioContext> build, string description = "inline scenario") : Scenario
{
    public override string Name => name;

    public override string Description => description;

    public override IEnumerable<System.Reflection.Assembly> CodeAssemblies => [GetType().Assembly, build.Method.Module.Assembly];

    public override void Build(ScenarioContext context) => build(context);
}
