using System.CommandLine;
using Sim.Shared;

namespace Sim.Cli;

/// <summary>The `sim` command line: one verb per file (<c>*Command.cs</c>), assembled here.</summary>
public static class Commands
{
    public static RootCommand Build(TextWriter stdout, TextWriter stderr) => Build(new CliContext(stdout, stderr, () => DateTime.UtcNow));

    public static RootCommand Build(CliContext cli)
    {
        var root = new RootCommand(Describe("Sim: a deterministic simulation and chaos testbed for federated-learning and privacy-computing control planes."));
        root.Subcommands.Add(ListCommand.Build(cli));
        root.Subcommands.Add(RunCommand.Build(cli));
        root.Subcommands.Add(ExploreCommand.Build(cli));
        root.Subcommands.Add(ReplayCommand.Build(cli));
        root.Subcommands.Add(FuzzCommand.Build(cli));
        root.Subcommands.Add(BenchCommand.Build(cli));
        root.Subcommands.Add(ReportCommand.Build(cli));
        root.Subcommands.Add(GatewayCommand.Build(cli));
        root.Subcommands.Add(WorkerCommand.Build());
        return root;
    }

    /// <summary>A verb's description followed by the exit codes, as every verb's --help shows them.</summary>
    public static string Describe(string what) => $"{what}\n\n{ExitCodes.Help}";

    /// <summary>
    /// The one message for a first word that is not a verb (System.CommandLine would also say "Required command was
    /// not provided." first), or for no verb at all; null when the first word is a verb or an option.
    /// </summary>
    public static string? UnknownVerb(RootCommand root, IReadOnlyList<string> args)
    {
        var verbs = string.Join(", ", root.Subcommands.Where(c => !c.Hidden).Select(c => c.Name));
        if (args.Count == 0)
        {
            return $"no command given (commands: {verbs}); see 'sim --help'";
        }

        var first = args[0];
        return first.StartsWith('-') || root.Subcommands.Any(c => c.Name == first || c.Aliases.Contains(first))
            ? null
            : $"unknown command '{first}' (commands: {verbs}); see 'sim --help'";
    }
}
