using System.CommandLine;
using Sim.Shared;

namespace Sim.Cli;

/// <summary>The `sim` command. Exit codes: see <see cref="ExitCodes"/>.</summary>
public static class Program
{
    public static int Main(string[] args) => Run(args, Console.Out, Console.Error);

    /// <summary>Runs the command line with the given output writers (tests call this directly).</summary>
    public static int Run(string[] args, TextWriter stdout, TextWriter stderr) => Run(args, new CliContext(stdout, stderr, () => DateTime.UtcNow));

    /// <summary>Runs the command line with the given writers and clock (tests inject the date).</summary>
    public static int Run(string[] args, CliContext cli)
    {
        var stderr = cli.Stderr;
        try
        {
            var root = Commands.Build(cli);
            if (Commands.UnknownVerb(root, args) is { } problem)
            {
                stderr.WriteLine($"sim: {problem}");
                return ExitCodes.BadInput;
            }

            var parsed = root.Parse(args);
            if (parsed.Errors.Count > 0)
            {
                foreach (var error in parsed.Errors)
                {
                    stderr.WriteLine($"sim: {error.Message}");
                }

                stderr.WriteLine($"sim: see 'sim {(parsed.CommandResult.Command is RootCommand ? "" : parsed.CommandResult.Command.Name + " ")}--help'");
                return ExitCodes.BadInput;
            }

            return parsed.Invoke(new InvocationConfiguration { Output = cli.Stdout, Error = stderr, EnableDefaultExceptionHandler = false });
        }
        catch (Exception e) when (BadInput(e) is { } bad)
        {
            stderr.WriteLine($"sim: {bad.Message}");
            return ExitCodes.BadInput;
        }
        catch (Exception e)
        {
            // Never a stack trace on the terminal: one line, and everything else in a file to attach to an issue.
            var log = CrashLog.Write(e, args);
            stderr.WriteLine($"sim: internal error: {e.GetType().Name}: {FirstLine(e.Message)} (details: {log ?? "no crash log could be written"})");
            return ExitCodes.InternalError;
        }
    }

    /// <summary>The bad input behind an exception, also when a library wrapped it.</summary>
    private static BadInputException? BadInput(Exception e) => e switch
    {
        BadInputException bad => bad,
        AggregateException { InnerExceptions: [var inner] } => BadInput(inner),
        System.Reflection.TargetInvocationException { InnerException: { } inner } => BadInput(inner),
        _ => null,
    };

    private static string FirstLine(string text) => text.Split('\n', 2)[0].TrimEnd();
}
