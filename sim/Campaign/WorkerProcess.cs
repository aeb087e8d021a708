using System.Diagnostics;
using System.Globalization;

namespace Sim.Campaign;

/// <summary>
/// A worker process as the coordinator sees it: the same `sim` executable started as `sim worker`, the
/// unit it holds, since when, and the last lines it wrote to stderr (for a crash's message).
/// </summary>
public sealed class WorkerProcess : IDisposable
{
    private const int TailLines = 8;
    private readonly Process process;
    private readonly Queue<string> stderrTail = new();

    private WorkerProcess(int id, Process process)
    {
        Id = id;
        this.process = process;
        Spawned = Stopwatch.GetTimestamp();
    }

    public int Id { get; }

    public string Identity => IdentityOf(Id);

    /// <summary>False until the worker said it is ready.</summary>
    public bool Ready { get; set; }

    /// <summary>The unit the worker runs now, if any.</summary>
    public WorkUnit? Unit { get; private set; }

    public long UnitStarted { get; private set; }

    public long Spawned { get; }

    public bool HasExited => process.HasExited;

    public int ExitCode => process.HasExited ? process.ExitCode : -1;

    public static string IdentityOf(int id) => $"w{id}";

    /// <summary>Starts `sim worker`: the apphost when this process is one, else `dotnet sim.dll`.</summary>
    public static WorkerProcess Start(int id, string endpoint, string? testFaults)
    {
        var (file, prefix) = SimExecutable();
        var start = new ProcessStartInfo(file)
        {
            UseShellExecute = false,
            RedirectStandardError = true,
            RedirectStandardOutput = true,
        };
        foreach (var arg in prefix.Concat(["worker", "--connect", endpoint, "--id", id.ToString(CultureInfo.InvariantCulture), "--parent", Environment.ProcessId.ToString(CultureInfo.InvariantCulture)]))
        {
            start.ArgumentList.Add(arg);
        }

        if (testFaults is not null)
        {
            start.ArgumentList.Add("--test-fault");
            start.ArgumentList.Add(testFaults);
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {file}");
        var worker = new WorkerProcess(id, process);
        process.ErrorDataReceived += (_, e) => worker.Remember(e.Data);
        process.OutputDataReceived += (_, _) => { };
        process.BeginErrorReadLine();
        process.BeginOutputReadLine();
        return worker;
    }

    /// <summary>How to start the `sim` executable this process runs from.</summary>
    public static (string File, IReadOnlyList<string> Prefix) SimExecutable()
    {
        var self = Environment.ProcessPath;
        if (self is not null && Path.GetFileNameWithoutExtension(self) == "sim")
        {
            return (self, []);
        }

        // Running as `dotnet sim.dll`, or inside a test host that references sim.dll.
        var dll = typeof(WorkerProcess).Assembly.Location;
        var dotnet = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host ? host
            : self is not null && Path.GetFileNameWithoutExtension(self) == "dotnet" ? self
            : "dotnet";
        return (dotnet, [dll]);
    }

    public void Assign(WorkUnit unit)
    {
        Unit = unit;
        UnitStarted = Stopwatch.GetTimestamp();
    }

    public void Release() => Unit = null;

    public TimeSpan UnitElapsed => Unit is null ? TimeSpan.Zero : Stopwatch.GetElapsedTime(UnitStarted);

    public string StderrTail()
    {
        lock (stderrTail)
        {
            return string.Join("\n", stderrTail);
        }
    }

    public void Kill()
    {
        try
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit(5000);
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }
    }

    /// <summary>Waits for the worker to exit (it was told to stop), killing it past <paramref name="grace"/>.</summary>
    public void Stop(TimeSpan grace)
    {
        if (!process.WaitForExit(grace))
        {
            Kill();
        }
    }

    public void Dispose() => process.Dispose();

    private void Remember(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (stderrTail)
        {
            stderrTail.Enqueue(line);
            while (stderrTail.Count > TailLines)
            {
                stderrTail.Dequeue();
            }
        }
    }
}
