using System.Diagnostics;
using Sim.Campaign;
using Sim.Cli;
using Sim.Shared;

namespace Sim.Tests.Campaign;

/// <summary>Runs `sim` in this process (the coordinator; its workers are real processes) or as a process of its own.</summary>
internal static class CampaignHelpers
{
    public static (int Code, string Stdout, string Stderr) RunSim(params string[] args)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var code = Program.Run(args, stdout, stderr);
        return (code, stdout.ToString(), stderr.ToString());
    }

    /// <summary>Starts `sim` as a process of its own, the way a user or CI would.</summary>
    public static Process Start(params string[] args) => Start(new StringWriter(), args);

    /// <summary>Starts `sim` as a process of its own; its stderr lines go to <paramref name="stderr"/> (read it after the process exited).</summary>
    public static Process Start(StringWriter stderr, params string[] args)
    {
        var (file, prefix) = WorkerProcess.SimExecutable();
        var start = new ProcessStartInfo(file) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in prefix.Concat(args))
        {
            start.ArgumentList.Add(arg);
        }

        var process = Process.Start(start)!;
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, e) =>
        {
            lock (stderr)
            {
                stderr.WriteLine(e.Data);
            }
        };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    /// <summary>Waits until the campaign in <paramref name="dir"/> has finished at least <paramref name="units"/> units.</summary>
    public static void WaitForUnits(Process process, string dir, int units, TimeSpan timeout)
    {
        var watch = Stopwatch.StartNew();
        while (ResultsFile.Read(Path.Combine(dir, ResultsFile.FileName)).Iterations.Count < units)
        {
            Assert.False(process.HasExited, $"sim fuzz exited with {(process.HasExited ? process.ExitCode : 0)} before finishing {units} units");
            Assert.True(watch.Elapsed < timeout, $"sim fuzz did not finish {units} units in {timeout}");
            Thread.Sleep(20);
        }
    }

    public static string Config(DirectoryInfo dir, string yaml, string name = "campaign.yaml")
    {
        var path = Path.Combine(dir.FullName, name);
        File.WriteAllText(path, yaml);
        return path;
    }

    /// <summary>What a campaign found, unit by unit: (unit, verdict, invariant, hash).</summary>
    public static HashSet<(long Unit, string Verdict, string? Invariant, string? Hash)> Outcomes(string dir) =>
        [.. ResultsFile.Read(Path.Combine(dir, ResultsFile.FileName)).Iterations.Select(i => (i.Unit, i.Verdict, i.Invariant, i.Hash))];

    public static ResultsFile Results(string dir) => ResultsFile.Read(Path.Combine(dir, ResultsFile.FileName));
}
