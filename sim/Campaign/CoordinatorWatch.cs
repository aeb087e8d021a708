using System.Diagnostics;
using System.Globalization;
using NetMQ;
using NetMQ.Monitoring;

namespace Sim.Campaign;

/// <summary>
/// Ends a worker that lost its coordinator, whatever its main thread is doing (a unit may run for minutes, or hang):
/// a background thread checks every 100 ms that the coordinator process is still its parent (a SIGKILLed coordinator's
/// workers are re-parented at once) and that the NetMQ connection is up. NetMQ's ZMTP heartbeats (a PING every
/// 500 ms, the connection dropped after 1.5 s without an answer) turn a frozen or unreachable coordinator into a
/// disconnection, which a <see cref="NetMQMonitor"/> reports. A worker that never connects gives up after 5 s.
/// </summary>
public sealed class CoordinatorWatch : IDisposable
{
    public static readonly TimeSpan HeartbeatInterval = TimeSpan.FromMilliseconds(500);
    public static readonly TimeSpan HeartbeatTimeout = TimeSpan.FromMilliseconds(1500);
    public static readonly TimeSpan ConnectTimeout = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan Every = TimeSpan.FromMilliseconds(100);

    private readonly string endpoint;
    private readonly int id;
    private readonly int? parent;
    private readonly TextWriter stderr;
    private readonly NetMQMonitor monitor;
    private readonly Thread thread;
    private readonly long started = Stopwatch.GetTimestamp();
    private volatile bool connected;
    private volatile bool disconnected;
    private volatile bool stopping;

    public CoordinatorWatch(NetMQSocket socket, string endpoint, int id, int? parent, TextWriter stderr)
    {
        this.endpoint = endpoint;
        this.id = id;
        this.parent = parent;
        this.stderr = stderr;
        monitor = new NetMQMonitor(socket, $"inproc://sim-worker-{id}-{Environment.ProcessId}-monitor", SocketEvents.Connected | SocketEvents.Disconnected);
        monitor.Connected += (_, _) => connected = true;
        monitor.Disconnected += (_, _) => disconnected = true;
        _ = monitor.StartAsync();
        thread = new Thread(Watch) { IsBackground = true, Name = "coordinator watch" };
        thread.Start();
    }

    /// <summary>The worker is leaving on its own (told to stop): a closing connection is expected now.</summary>
    public void Stopping() => stopping = true;

    public void Dispose()
    {
        stopping = true;
        try
        {
            monitor.Stop();
        }
        catch (Exception e) when (e is InvalidOperationException or NetMQException or ObjectDisposedException)
        {
            // Not started yet, or already stopped: nothing to do.
        }

        monitor.Dispose();
    }

    private void Watch()
    {
        while (!stopping)
        {
            Thread.Sleep(Every);
            if (stopping)
            {
                return;
            }

            if (parent is { } pid && ParentGone(pid))
            {
                Die($"its coordinator (process {pid}) is gone", Worker.LostCoordinator);
            }
            else if (disconnected)
            {
                Die($"lost its coordinator at {endpoint} (the connection closed, or heartbeats went unanswered for {HeartbeatTimeout.TotalSeconds:F1} s)", Worker.LostCoordinator);
            }
            else if (!connected && Stopwatch.GetElapsedTime(started) > ConnectTimeout)
            {
                Die($"no coordinator answers at {endpoint} (waited {ConnectTimeout.TotalSeconds:F0} s); `sim fuzz` starts its workers with the endpoint it listens on", Worker.BadInput);
            }
        }
    }

    private void Die(string reason, int code)
    {
        stderr.WriteLine($"sim worker {id}: {reason}; exiting");
        stderr.Flush();

        // Exit runs the process-exit handlers; should one of them block (a native socket closing), the kill ends it anyway.
        var hard = new Thread(() =>
        {
            Thread.Sleep(TimeSpan.FromMilliseconds(500));
            Process.GetCurrentProcess().Kill();
        })
        { IsBackground = true };
        hard.Start();
        Environment.Exit(code);
    }

    /// <summary>True when <paramref name="pid"/> is no longer this process's parent (Linux: re-parenting is immediate), or is gone.</summary>
    private static bool ParentGone(int pid)
    {
        try
        {
            // /proc/self/stat: "pid (comm) state ppid ..."; comm may hold spaces and parentheses, so count from the last ')'.
            var stat = File.ReadAllText("/proc/self/stat");
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            return int.Parse(fields[1], CultureInfo.InvariantCulture) != pid;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException or IndexOutOfRangeException or ArgumentOutOfRangeException)
        {
            // No /proc (not Linux): ask for the process itself.
            try
            {
                using var process = Process.GetProcessById(pid);
                return process.HasExited;
            }
            catch (ArgumentException)
            {
                return true;
            }
            catch (InvalidOperationException)
            {
                return true;
            }
        }
    }
}
