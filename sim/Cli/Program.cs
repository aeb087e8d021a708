using System.CommandLine;

namespace Sim.Cli;

/// <summary>The `sim` command. Exit codes: 0 nothing found, 1 a bug found, 2 bad input.</summary>
public static class Program
{
    public static int Main(string[] args) => Run(args, Console.Out, Console.Error);

    /// <summary>Runs the command line with the given output writers (tests call this directly).</summary>
    public static int Run(string[] args, TextWriter stdout, TextWriter stderr)
    {
        var root = Commands.Build(stdout, stderr);
        var parsed = root.Parse(args);
        if (parsed.Errors.Count > 0)
        {
            foreach (var error in parsed.Errors)
            {
                stderr.WriteLine($"sim: {error.Message}");
            }

            stderr.WriteLine("sim: see 'sim --help'");
            return ExitCodes.BadInput;
        }

        try
        {
            return parsed.Invoke(new InvocationConfiguration { Output = stdout, Error = stderr, EnableDefaultExceptionHandler = false });
        }
        catch (BadInputException e)
        {
            stderr.WriteLine($"sim: {e.Message}");
            return ExitCodes.BadInput;
        }
    }
}

public static class ExitCodes
{
    public const int Ok = 0;
    public const int Bug = 1;
    public const int BadInput = 2;
}

/// <summary>Input the user must fix: reported with exit code 2.</summary>
public sealed class BadInputException(string message) : Exception(message);
