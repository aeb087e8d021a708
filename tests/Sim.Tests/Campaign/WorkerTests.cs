using System.Diagnostics;
using System.Globalization;
using Sim.Campaign;
using Sim.Shared;
using static Sim.Tests.Campaign.CampaignHelpers;

namespace Sim.Tests.Campaign;

/// <summary>
/// Campaign workers never outlive their coordinator: SIGKILLed, frozen or never there, the workers end within two
/// seconds, even in the middle of a hung unit; a worker obeys SIGTERM (its unit runs again); a bad endpoint is bad input.
/// </summary>
public sealed class WorkerTests : IDisposable
{
    private const string Yaml = """
        campaign:
          timeout: 60s
        scenarios:
          - name: heartbeat
            engines:
              - engine: loop
                strategies: [random]
                iterations: 6
        """;

    private static readonly TimeSpan Within = TimeSpan.FromSeconds(2);
    private readonly DirectoryInfo dir = Directory.CreateTempSubdirectory("sim-workers-");

    public void Dispose() => dir.Delete(recursive: true);

    [Fact]
    public void EveryWorkerIsGoneWithinTwoSecondsOfItsCoordinatorsSigkill()
    {
        // Unit 0 hangs its worker: the test fault sleeps forever on the worker's main thread.
        using var fuzz = StartCampaign("killed", new StringWriter(), "hang@0");
        var workers = Workers(fuzz);

        fuzz.Kill();
        var watch = Stopwatch.StartNew();
        WaitUntilGone(workers, Within);

        Assert.True(workers.All(Gone), $"workers {string.Join(", ", workers.Where(w => !Gone(w)))} outlived their coordinator by {watch.Elapsed.TotalSeconds:F1} s");
    }

    [Fact]
    public void EveryWorkerOfAFrozenCoordinatorGivesUpOnItsHeartbeats()
    {
        using var fuzz = StartCampaign("frozen", new StringWriter(), "hang@0");
        var workers = Workers(fuzz);
        try
        {
            // SIGSTOP: the coordinator is still their parent, but answers no heartbeat any more.
            Signal("STOP", fuzz.Id);
            WaitUntilGone(workers, TimeSpan.FromSeconds(3));

            Assert.True(workers.All(Gone), $"workers {string.Join(", ", workers.Where(w => !Gone(w)))} still wait for a frozen coordinator");
        }
        finally
        {
            fuzz.Kill();
        }
    }

    [Fact]
    public void AWorkerObeysSigtermAndItsUnitRunsAgain()
    {
        // Unit 0 keeps its worker 8 s before it runs: time to catch the worker in the middle of it.
        var stderr = new StringWriter();
        using var fuzz = StartCampaign("terminated", stderr, "slow@0");
        var workers = Workers(fuzz);

        foreach (var worker in workers)
        {
            Signal("TERM", worker);
        }

        WaitUntilGone(workers, Within);
        Assert.True(workers.All(Gone), "a worker ignored SIGTERM");
        Assert.True(fuzz.WaitForExit(TimeSpan.FromSeconds(60)), "the campaign did not go on after its workers were terminated");
        fuzz.WaitForExit();

        // The unit the terminated worker held ran again, once, and is no finding.
        var results = Results(Path.Combine(dir.FullName, "terminated"));
        Assert.Equal([0, 1, 2, 3, 4, 5], results.Iterations.Select(i => i.Unit).Order());
        Assert.All(results.Iterations, i => Assert.Equal("ok", i.Verdict));
        Assert.Contains("was terminated (SIGTERM) while running unit 0: the unit runs again", stderr.ToString(), StringComparison.Ordinal);
        Assert.Equal(ExitCodes.Ok, fuzz.ExitCode);
    }

    [Fact]
    public void AWorkerWithNoCoordinatorAtItsEndpointGivesUpWithExitCodeTwo()
    {
        var stderr = new StringWriter();
        using var worker = Start(stderr, "worker", "--connect", "tcp://127.0.0.1:1", "--id", "1");

        Assert.True(worker.WaitForExit(TimeSpan.FromSeconds(30)), "the worker waits forever for a coordinator that is not there");
        worker.WaitForExit();
        Assert.Equal(ExitCodes.BadInput, worker.ExitCode);
        Assert.Contains("sim worker 1: no coordinator answers at tcp://127.0.0.1:1 (waited 5 s)", stderr.ToString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("garbage")]
    [InlineData("tcp://127.0.0.1")]
    [InlineData("tcp://127.0.0.1:99999")]
    [InlineData("ipc:///tmp/sim")]
    public void ABadEndpointIsBadInput(string endpoint)
    {
        var (code, _, stderr) = RunSim("worker", "--connect", endpoint, "--id", "1");

        Assert.Equal(ExitCodes.BadInput, code);
        Assert.Equal($"sim: --connect: '{endpoint}' is not a coordinator endpoint tcp://HOST:PORT with a port from 1 to 65535", stderr.Trim());
    }

    /// <summary>Starts `sim fuzz` with two workers and a test fault on unit 0, and returns once a unit finished (both workers are up).</summary>
    private Process StartCampaign(string name, StringWriter stderr, string fault)
    {
        var outDir = Path.Combine(dir.FullName, name);
        var fuzz = Start(stderr, "fuzz", "--config", Config(dir, Yaml, name + ".yaml"), "--out", outDir, "--workers", "2", "--test-fault", fault);
        WaitForUnits(fuzz, outDir, 1, TimeSpan.FromSeconds(120));
        return fuzz;
    }

    /// <summary>The worker processes of a coordinator: its children (Linux /proc).</summary>
    private static List<int> Workers(Process coordinator)
    {
        var children = new List<int>();
        var watch = Stopwatch.StartNew();
        while (children.Count < 2 && watch.Elapsed < TimeSpan.FromSeconds(30))
        {
            children = [.. Directory.GetDirectories("/proc").Select(Path.GetFileName).Where(d => d!.All(char.IsAsciiDigit)).Select(d => int.Parse(d!, CultureInfo.InvariantCulture))
                .Where(pid => ParentOf(pid) == coordinator.Id && !Gone(pid))];
            Thread.Sleep(50);
        }

        Assert.True(children.Count >= 2, $"sim fuzz runs {children.Count} worker process(es), expected 2");
        return children;
    }

    private static int? ParentOf(int pid) => Stat(pid) is { } fields ? int.Parse(fields[1], CultureInfo.InvariantCulture) : null;

    /// <summary>Gone, or a zombie nobody reaped yet (a container's first process may not reap orphans): it runs no more.</summary>
    private static bool Gone(int pid) => Stat(pid) is not { } fields || fields[0] == "Z";

    /// <summary>/proc/PID/stat from the state field on (state, ppid, ...), or null when there is no such process.</summary>
    private static string[]? Stat(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            return stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    private static void WaitUntilGone(IReadOnlyList<int> pids, TimeSpan timeout)
    {
        var watch = Stopwatch.StartNew();
        while (!pids.All(Gone) && watch.Elapsed < timeout)
        {
            Thread.Sleep(20);
        }
    }

    private static void Signal(string signal, int pid)
    {
        using var kill = Process.Start("kill", [$"-{signal}", pid.ToString(CultureInfo.InvariantCulture)]);
        kill.WaitForExit();
    }
}
