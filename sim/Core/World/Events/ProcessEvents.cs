using Sim.Stack.Host;

namespace Sim.Worlds;

/// <summary>A process incarnation started (its subject is the process).</summary>
/// <param name="Incarnation">1 for the first start.</param>
/// <param name="Machine">The machine it runs on.</param>
public sealed record ProcessStarted(int Incarnation, string Machine) : SimEvent
{
    public override string Kind => "process.start";

    public override string Details => $"incarnation={Incarnation} machine={Machine}";
}

/// <summary>A process incarnation was killed: memory and unflushed writes lost, connections reset.</summary>
/// <param name="Incarnation">The incarnation killed.</param>
/// <param name="Why">Who or what killed it (the fault injector, a timeline, a stop's grace running out, a crash).</param>
/// <param name="UnflushedWritesLost">Writes of its disk not yet flushed, now gone.</param>
public sealed record ProcessKilled(int Incarnation, string Why, int UnflushedWritesLost) : SimEvent
{
    public override string Kind => "process.kill";

    public override string Details => $"incarnation={Incarnation} {Why} unflushed-writes-lost={UnflushedWritesLost}";
}

/// <summary>A process was asked to stop gracefully: its lifetime token fired; it is killed after <paramref name="Grace"/>.</summary>
public sealed record ProcessStopping(int Incarnation, TimeSpan Grace) : SimEvent
{
    public override string Kind => "process.stop";

    public override string Details => $"incarnation={Incarnation} grace={Grace.TotalSeconds:F3}s";
}

/// <summary>A process was paused: its continuations wait until it resumes.</summary>
public sealed record ProcessPaused(int Incarnation) : SimEvent
{
    public override string Kind => "process.pause";

    public override string Details => $"incarnation={Incarnation}";
}

/// <summary>A paused process resumed.</summary>
public sealed record ProcessResumed(int Incarnation) : SimEvent
{
    public override string Kind => "process.resume";

    public override string Details => $"incarnation={Incarnation}";
}

/// <summary>A process's main threw: the process is killed (a <see cref="ProcessKilled"/> follows).</summary>
/// <param name="Error">The exception's type name.</param>
/// <param name="Message">The exception's message.</param>
public sealed record ProcessCrashed(string Error, string Message) : SimEvent
{
    public override string Kind => "process.crashed";

    public override string Details => $"{Error}: {Message}";
}

/// <summary>A background loop of a process threw; the process lives on without it.</summary>
public sealed record LoopCrashed(string Loop, string Error, string Message) : SimEvent
{
    public override string Kind => "process.loop-crashed";

    public override string Details => $"loop={Loop} {Error}: {Message}";
}

/// <summary>A flush made a process's buffered writes durable.</summary>
public sealed record DiskFlushed(int Writes) : SimEvent
{
    public override string Kind => "disk.flush";

    public override string Details => $"writes={Writes}";
}
