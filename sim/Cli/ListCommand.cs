using System.CommandLine;
using Sim.Engine;
using Sim.Scenarios;
using Sim.Shared;
using Sim.Stack.Buggify;
using Sim.Worlds;

namespace Sim.Cli;

/// <summary>`sim list`: the scenarios, their defects, the fault profiles and every engine's strategies.</summary>
internal static class ListCommand
{
    public static Command Build(CliContext cli)
    {
        var command = new Command("list", Commands.Describe("List the scenarios, their defects, the fault profiles and the engines' strategies."));
        command.SetAction(_ =>
        {
            var stdout = cli.Stdout;
            foreach (var scenario in ScenarioCatalog.All)
            {
                stdout.WriteLine($"{scenario.Name}: {scenario.Description}");
                foreach (var defect in scenario.Defects)
                {
                    stdout.WriteLine($"  defect {defect.Name}{(defect.Race ? " (a race: needs search)" : "")}: {defect.Description}");
                }
            }

            stdout.WriteLine($"fault profiles: {string.Join(", ", FaultProfile.Builtin.Select(p => p.Name))}");
            stdout.WriteLine("fault kinds (what a profile configures, and what swarm draws from):");
            foreach (var kind in FaultKinds.All)
            {
                stdout.WriteLine($"  {kind.Name}: {kind.Description}");
            }

            stdout.WriteLine("BUGGIFY sites (on by default; --buggify off):");
            foreach (var site in BuggifyCatalogue.All)
            {
                stdout.WriteLine($"  {site.Name} ({site.Component}): {site.Description}");
            }

            foreach (var engine in Engines.All)
            {
                stdout.WriteLine($"{engine.Name} strategies: {string.Join(", ", engine.Strategies)}");
            }

            return ExitCodes.Ok;
        });
        return command;
    }
}
