using Sim.Engine;
using Sim.Scenarios;
using Sim.Shared;
using Sim.Stack.Defects;
using Sim.Worlds;

namespace Sim.Cli;

/// <summary>Checks what `run` and `explore` were given against the catalogues, with messages that name the flag.</summary>
internal static class RunInputs
{
    public static IEngine Engine(string name) =>
        Engines.Find(name) ?? throw new BadInputException($"--engine: unknown engine '{name}' (known: {string.Join(", ", Engines.Names)})");

    public static (Scenario Scenario, RunConfig Config) Resolve(string scenarioName, ulong seed, string[] defects, IEngine engine, string strategy, int depth, string? faults, bool buggify = true)
    {
        var scenario = ScenarioCatalog.Find(scenarioName)
            ?? throw new BadInputException($"unknown scenario '{scenarioName}' (known: {string.Join(", ", ScenarioCatalog.All.Select(s => s.Name))})");
        var names = defects.SelectMany(d => d.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)).ToList();
        foreach (var name in names)
        {
            var defect = DefectCatalogue.Find(name)
                ?? throw new BadInputException($"--defect: unknown defect '{name}' (known: {string.Join(", ", DefectCatalogue.All.Select(d => d.Name))})");
            if (ScenarioCatalog.WhyNotPlantable(defect.Name, scenario) is { } why)
            {
                throw new BadInputException($"--defect: {why}");
            }
        }

        if (!engine.Strategies.Contains(strategy))
        {
            throw new BadInputException($"--strategy: unknown strategy '{strategy}' for the {engine.Name} engine (known: {string.Join(", ", engine.Strategies)})");
        }

        FaultProfile? profile = null;
        if (faults is not null)
        {
            profile = FaultProfile.Builtin.FirstOrDefault(p => p.Name == faults)
                ?? throw new BadInputException($"--faults: unknown fault profile '{faults}' (known: {string.Join(", ", FaultProfile.Builtin.Select(p => p.Name))})");
        }

        return (scenario, new RunConfig(scenario.Name, seed, strategy, new DefectSet(names), profile, depth, Buggify: buggify));
    }
}
