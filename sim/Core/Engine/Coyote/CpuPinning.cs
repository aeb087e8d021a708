using System.Runtime.InteropServices;

namespace Sim.Engine.Coyote;

/// <summary>
/// Keeps the threads of a Coyote exploration on one CPU while it runs. Coyote 1.7 runs every controlled operation on a
/// thread of its own and one operation at a time: each scheduling step that moves to another operation wakes that
/// operation's thread and puts the current one to sleep, and each operation created starts a thread its creator waits
/// for. Spread over the machine's CPUs every hand-over was a wake-up on another CPU (an inter-processor interrupt, dear
/// in a virtual machine) while the thread handing over spun. Measured back to back on the 2-CPU machine under load
/// (load average 8 to 16): scheduler-lease-pause, 5 iterations, 16 to 18 s wall and 14 to 16 s CPU pinned, 30 to 37 s
/// and 21 to 28 s not; scheduler-failover, 1 iteration, 36 s and 32 s pinned, 73 s and 53 s not. Nothing is lost: one
/// operation runs at a time, and which one is Coyote's choice, not the system's. Linux only (elsewhere nothing
/// changes).
/// <para>
/// The .NET runtime gives every thread it creates the affinity of the process's main thread (it undoes Linux's
/// inheritance from the creating thread), so the pin is set on the main thread and on the calling one; the threads
/// created meanwhile take it. The CPU is the one the system runs the caller on, so explorations running side by side
/// in other processes (a campaign's workers) tend to land on different CPUs. Disposing restores the previous affinity
/// of every thread of the process.
/// </para>
/// </summary>
internal sealed class CpuPinning : IDisposable
{
    private readonly ulong previous;

    private CpuPinning(ulong previous)
    {
        this.previous = previous;
    }

    /// <summary>Pins the process's new threads and the calling thread to the CPU the caller runs on; null if it cannot.</summary>
    public static CpuPinning? ToCurrentCpu()
    {
        if (!OperatingSystem.IsLinux())
        {
            return null;
        }

        var processId = Environment.ProcessId;
        var cpu = sched_getcpu();
        if (cpu is < 0 or >= 64 || sched_getaffinity(processId, sizeof(ulong), out var previous) != 0 || (previous & (1UL << cpu)) == 0)
        {
            return null;
        }

        var pinned = 1UL << cpu;
        if (sched_setaffinity(processId, sizeof(ulong), ref pinned) != 0)
        {
            return null;
        }

        _ = sched_setaffinity(0, sizeof(ulong), ref pinned);
        return new CpuPinning(previous);
    }

    public void Dispose()
    {
        var mask = previous;
        foreach (var task in Directory.EnumerateDirectories("/proc/self/task"))
        {
            if (int.TryParse(Path.GetFileName(task), out var threadId))
            {
                _ = sched_setaffinity(threadId, sizeof(ulong), ref mask);
            }
        }
    }

    [DllImport("libc", SetLastError = true)]
    private static extern int sched_getcpu();

    [DllImport("libc", SetLastError = true)]
    private static extern int sched_getaffinity(int pid, nint cpusetsize, out ulong mask);

    [DllImport("libc", SetLastError = true)]
    private static extern int sched_setaffinity(int pid, nint cpusetsize, ref ulong mask);
}
