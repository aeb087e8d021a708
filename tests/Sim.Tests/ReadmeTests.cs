using System.Diagnostics;
using System.Text.RegularExpressions;
using Sim.Campaign;

namespace Sim.Tests;

/// <summary>
/// The README's sample output is the output of today's `sim`: every `$ dotnet run --project sim -- ...` sample in a
/// ```sh block is run (in order, in one scratch directory, as a process of its own) and compared line by line, wall
/// times aside. A line "..." stands for any lines. The defect benchmark's sample is measured, not reproducible: skipped.
/// </summary>
public sealed partial class ReadmeTests : IDisposable
{
    private const string Prompt = "$ dotnet run --project sim -- ";
    private static readonly string[] Measured = ["bench"];
    private readonly DirectoryInfo dir = Directory.CreateTempSubdirectory("sim-readme-");

    public void Dispose() => dir.Delete(recursive: true);

    [Fact]
    public void EverySampleOutputInTheReadmeIsWhatSimPrintsToday()
    {
        var samples = Samples(File.ReadAllLines(Path.Combine(Repository.Root, "README.md"))).Where(s => !Measured.Contains(s.Args[0])).ToList();
        Assert.True(samples.Count >= 3, $"found {samples.Count} samples in the README");

        foreach (var (args, expected) in samples)
        {
            var actual = Run(args);
            Assert.True(Matches(expected, actual), $"the README's sample of `sim {string.Join(" ", args)}` is stale; today it prints:\n{string.Join("\n", actual)}");
        }
    }

    /// <summary>Each sample: the command's arguments and the lines shown under it.</summary>
    private static IEnumerable<(string[] Args, List<string> Expected)> Samples(string[] readme)
    {
        var inShell = false;
        (string[] Args, List<string> Expected)? current = null;
        foreach (var line in readme)
        {
            if (line.StartsWith("```", StringComparison.Ordinal))
            {
                inShell = !inShell && line == "```sh";
                if (current is { } done)
                {
                    yield return done;
                    current = null;
                }

                continue;
            }

            if (!inShell)
            {
                continue;
            }

            if (line.StartsWith(Prompt, StringComparison.Ordinal))
            {
                if (current is { } done)
                {
                    yield return done;
                }

                current = (line[Prompt.Length..].Split(' ', StringSplitOptions.RemoveEmptyEntries), []);
            }
            else if (current is { } open && line.Length > 0)
            {
                open.Expected.Add(line);
            }
        }
    }

    private List<string> Run(string[] args)
    {
        var (file, prefix) = WorkerProcess.SimExecutable();
        var start = new ProcessStartInfo(file) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = dir.FullName };
        foreach (var arg in prefix.Concat(args))
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start)!;
        var stderr = process.StandardError.ReadToEndAsync();
        var stdout = process.StandardOutput.ReadToEnd();
        Assert.True(process.WaitForExit(TimeSpan.FromMinutes(2)), $"sim {string.Join(" ", args)} did not end");
        _ = stderr.Result;
        return [.. stdout.Split('\n').Select(l => l.TrimEnd('\r')).Where(l => l.Length > 0)];
    }

    /// <summary>Line by line, wall times aside; "..." matches any number of lines.</summary>
    private static bool Matches(IReadOnlyList<string> expected, IReadOnlyList<string> actual)
    {
        if (expected.Count == 0)
        {
            return actual.Count == 0;
        }

        if (expected[0] is "..." or "…")
        {
            return Enumerable.Range(0, actual.Count + 1).Any(skip => Matches(expected.Skip(1).ToList(), actual.Skip(skip).ToList()));
        }

        return actual.Count > 0 && WallTimes(expected[0]) == WallTimes(actual[0]) && Matches(expected.Skip(1).ToList(), actual.Skip(1).ToList());
    }

    private static string WallTimes(string line) => Seconds().Replace(Milliseconds().Replace(line, "(# ms)"), "in #s");

    [GeneratedRegex(@"in \d+(\.\d+)?s\b")]
    private static partial Regex Seconds();

    [GeneratedRegex(@"\(\d+ ms\)")]
    private static partial Regex Milliseconds();
}
