using System.Globalization;

namespace Sim.Cli;

/// <summary>Where an unexpected exception goes: a file with the whole exception, so the terminal gets one line.</summary>
internal static class CrashLog
{
    /// <summary>Writes the crash log into the temporary directory; returns its path, or null when it could not be written.</summary>
    public static string? Write(Exception e, IReadOnlyList<string> args)
    {
        try
        {
            var path = Path.Combine(Path.GetTempPath(), $"sim-crash-{DateTime.UtcNow.ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture)}-{Environment.ProcessId}.log");
            File.WriteAllText(path, $"""
                sim crashed at {DateTime.UtcNow:O} (UTC)
                command: sim {string.Join(" ", args)}
                directory: {Environment.CurrentDirectory}
                runtime: {System.Runtime.InteropServices.RuntimeInformation.FrameworkDescription} on {System.Runtime.InteropServices.RuntimeInformation.OSDescription}

                {e}

                """);
            return path;
        }
        catch (Exception inner) when (inner is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }
}
