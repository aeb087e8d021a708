using Sim.Campaign;
using Sim.Cli;
using Sim.Shared;
using Sim.Stack.Defects;

namespace Sim.Tests;

/// <summary>
/// Every verb that writes checks its output directory before any work: a file, a directory that cannot be made or
/// written is bad input (exit 2, one line naming the flag and the reason), never a stack trace after the work is done.
/// </summary>
public sealed class OutputDirectoryTests : IDisposable
{
    private readonly DirectoryInfo dir = Directory.CreateTempSubdirectory("sim-out-");

    public void Dispose()
    {
        foreach (var sub in dir.GetDirectories())
        {
            SetMode(sub.FullName, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }

        dir.Delete(recursive: true);
    }

    public static TheoryData<string> Verbs => ["run", "explore", "fuzz", "fuzz --report", "bench --defects", "report"];

    [Theory]
    [MemberData(nameof(Verbs))]
    public void AnOutDirectoryThatIsAFileIsBadInputBeforeAnyWork(string verb)
    {
        var file = Path.Combine(dir.FullName, "a-file");
        File.WriteAllText(file, "not a directory");

        var (code, stdout, stderr) = Sim(Args(verb, file));

        Assert.Equal(ExitCodes.BadInput, code);
        Assert.Equal($"sim: {(verb == "fuzz --report" ? "--report" : "--out")} '{file}': is a file, not a directory", stderr.Trim());
        Assert.Equal("", stdout);
        Assert.Equal("not a directory", File.ReadAllText(file));
    }

    [Theory]
    [MemberData(nameof(Verbs))]
    public void AnOutDirectoryThatCannotBeWrittenIsBadInputBeforeAnyWork(string verb)
    {
        var readOnly = Unwritable();

        var (code, stdout, stderr) = Sim(Args(verb, readOnly));

        Assert.Equal(ExitCodes.BadInput, code);
        Assert.Equal($"sim: {(verb == "fuzz --report" ? "--report" : "--out")} '{readOnly}': cannot write to it: permission denied", stderr.Trim());
        Assert.Equal("", stdout);
    }

    [Fact]
    public void AnOutDirectoryUnderAFileCannotBeCreated()
    {
        var file = Path.Combine(dir.FullName, "a-file");
        File.WriteAllText(file, "");

        var (code, _, stderr) = Sim("run", "register", "--out", Path.Combine(file, "runs"));

        Assert.Equal(ExitCodes.BadInput, code);
        Assert.Equal($"sim: --out '{Path.Combine(file, "runs")}': cannot create it: '{file}' is a file", stderr.Trim());
    }

    [Fact]
    public void AnUnexpectedExceptionPrintsOneLineAndWritesACrashLog()
    {
        var config = Path.Combine(dir.FullName, "auto.yaml");
        File.WriteAllText(config, "campaign:\n  seeds:\n    start: auto\nscenarios:\n  - name: heartbeat\n    engines:\n      - engine: loop\n        strategies: [random]\n        iterations: 1\n");
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();

        var code = Program.Run(["fuzz", "--config", config, "--out", Path.Combine(dir.FullName, "out")], new CliContext(stdout, stderr, () => throw new InvalidOperationException("the clock is broken")));

        Assert.Equal(ExitCodes.InternalError, code);
        var line = Assert.Single(stderr.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("sim: internal error: InvalidOperationException: the clock is broken (details: ", line, StringComparison.Ordinal);
        var log = line[(line.IndexOf("(details: ", StringComparison.Ordinal) + "(details: ".Length)..^1];
        try
        {
            Assert.Contains("   at ", File.ReadAllText(log), StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(log);
        }
    }

    /// <summary>A verb's command line writing to <paramref name="outDir"/>, with valid input otherwise.</summary>
    private string[] Args(string verb, string outDir)
    {
        var config = Path.Combine(dir.FullName, "campaign.yaml");
        File.WriteAllText(config, "scenarios:\n  - name: heartbeat\n    engines:\n      - engine: loop\n        strategies: [random]\n        iterations: 1\n");
        var results = dir.CreateSubdirectory("results").FullName;
        File.WriteAllText(Path.Combine(results, ResultsFile.FileName), ResultLines.Serialize(new CampaignLine { Config = "c.yaml", ConfigHash = "0123456789abcdef", Shard = "0/1", Budget = null, Workers = 1, Resumed = false, StartedUtc = "2026-11-23T15:00:00Z" }) + "\n");
        return verb switch
        {
            "run" => ["run", "register", "--out", outDir],
            "explore" => ["explore", "register", "--engine", "loop", "--defect", DefectCatalogue.AckBeforeFlush, "--out", outDir],
            "fuzz" => ["fuzz", "--config", config, "--out", outDir],
            "fuzz --report" => ["fuzz", "--config", config, "--out", Path.Combine(dir.FullName, "fuzz-out"), "--report", outDir],
            "bench --defects" => ["bench", "--defects", DefectCatalogue.AckBeforeFlush, "--strategies", "loop:random", "--out", outDir],
            "report" => ["report", results, "--out", outDir],
            _ => throw new ArgumentException(verb),
        };
    }

    /// <summary>A directory this process cannot write: a read-only one, or (as root, who writes anywhere else) /sys.</summary>
    private string Unwritable()
    {
        var readOnly = dir.CreateSubdirectory($"read-only-{dir.GetDirectories().Length}").FullName;
        SetMode(readOnly, UnixFileMode.UserRead | UnixFileMode.UserExecute);
        foreach (var candidate in new[] { readOnly, "/sys" })
        {
            try
            {
                File.Create(Path.Combine(candidate, "probe"), 1, FileOptions.DeleteOnClose).Dispose();
            }
            catch (Exception e) when (e is UnauthorizedAccessException or IOException)
            {
                return candidate;
            }
        }

        throw new InvalidOperationException("no directory this process cannot write to");
    }

    private static void SetMode(string path, UnixFileMode mode)
    {
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(path, mode);
        }
    }

    private static (int Code, string Stdout, string Stderr) Sim(params string[] args)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var code = Program.Run(args, stdout, stderr);
        return (code, stdout.ToString(), stderr.ToString());
    }
}
