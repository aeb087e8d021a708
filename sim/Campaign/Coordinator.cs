using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text;
using NetMQ;
using NetMQ.Sockets;
using Sim.Shared;

namespace Sim.Campaign;

/// <summary>
/// Runs a campaign: enumerates this shard's units, skips those a resumed campaign already finished, feeds them to
/// worker processes over NetMQ (a RouterSocket on a random loopback port), appends every result to
/// <c>results.jsonl</c> as it comes, replaces workers that crash or hang (recording the unit they held as a finding),
/// and ends when the units or the wall budget run out, or on Ctrl-C / SIGTERM (exit code 4: resumable).
/// </summary>
public sealed class Coordinator(FuzzOptions options, TextWriter stdout, TextWriter stderr)
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);
    private const int MaxStartFailures = 3;

    /// <summary>The exit code of a worker that obeyed SIGTERM (128 + 15): its unit runs again, it is no finding.</summary>
    private const int Terminated = 143;

    private readonly Dictionary<string, WorkerProcess> workers = new(StringComparer.Ordinal);
    private readonly List<IterationLine> iterations = [];
    private readonly List<FindingLine> findings = [];
    private ResultsWriter? writer;
    private CampaignProgress? progress;
    private SeedBase seeds = options.Seeds;
    private string fullOut = "";
    private long started;
    private int nextWorker = 1;
    private int startFailures;
    private long unitsThisRun;
    private long findingsThisRun;
    private bool finished;
    private volatile bool interrupted;

    public int Run()
    {
        started = Stopwatch.GetTimestamp();
        fullOut = Path.GetFullPath(options.OutDir);
        var resultsPath = Path.Combine(fullOut, ResultsFile.FileName);
        var previous = ResultsFile.Read(resultsPath);
        CheckResume(previous, resultsPath);
        Directory.CreateDirectory(Path.Combine(fullOut, "findings"));
        iterations.AddRange(previous.Iterations);
        var done = previous.Iterations.Select(i => i.Unit).ToHashSet();
        findings.AddRange(previous.Findings.Where(f => done.Contains(f.Unit)));

        using var results = writer = new ResultsWriter(resultsPath, previous.CompleteLength);
        writer.Append(new CampaignLine
        {
            Config = options.Config.Path,
            ConfigHash = options.Config.Hash,
            Shard = options.Shard.ToString(),
            Budget = options.Budget?.Text,
            Workers = options.Workers,
            Resumed = previous.Campaigns.Count > 0,
            StartedUtc = ResultLines.Utc(DateTime.UtcNow),
            SeedBase = seeds.Value,
            SeedSource = seeds.Source,
            PlantedDefects = [.. options.Config.Defects.Select(d => d.Name)],
            Enumeration = UnitEnumeration.Version,
        });
        stdout.WriteLine($"campaign {options.Config.Path} shard {options.Shard}: seed base {seeds}, {options.Workers} worker(s), {(options.Budget is { } b ? $"budget {b.Text}" : "no wall budget")}{(previous.Iterations.Count > 0 ? $", {previous.Iterations.Count} unit(s) already done" : "")}");

        using var onInterrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, Interrupt);
        using var onTerminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Interrupt);
        using var feed = new UnitFeed(UnitEnumeration.ForShard(options.Config, options.Shard, seeds.Value), done);
        string? failure = null;
        progress = new CampaignProgress(stdout, stderr, UnitEnumeration.Count(options.Config, options.Shard), options.Budget?.Value);
        try
        {
            progress.Run(update => Loop(feed, update));
        }
        catch (WorkersFailedException e)
        {
            failure = e.Message;
        }

        return Finish(failure);
    }

    private int Finish(string? failure)
    {
        var wall = Stopwatch.GetElapsedTime(started);
        writer!.Append(new BatchLine
        {
            Shard = options.Shard.ToString(),
            Units = unitsThisRun,
            Bugs = findingsThisRun,
            WallSeconds = Math.Round(wall.TotalSeconds, 3),
            FinishedUtc = ResultLines.Utc(DateTime.UtcNow),
        });

        var stoppedEarly = interrupted && !finished;
        var summary = new CampaignSummary(options, seeds, iterations, findings, unitsThisRun, wall, stoppedEarly);
        summary.Write(stdout, CampaignProgress.Interactive(stdout));
        if (failure is not null)
        {
            stderr.WriteLine($"sim: {failure}");
            return ExitCodes.InternalError;
        }

        // A bug outranks an interruption: what was found stays found, and the rest can still be resumed.
        return summary.Unexpected > 0 ? ExitCodes.Bug : stoppedEarly ? ExitCodes.Interrupted : ExitCodes.Ok;
    }

    private void Interrupt(PosixSignalContext context)
    {
        context.Cancel = true;
        interrupted = true;
    }

    private void CheckResume(ResultsFile previous, string resultsPath)
    {
        var any = previous.Campaigns.Count > 0 || previous.Iterations.Count > 0;
        if (!options.Resume)
        {
            if (any || (File.Exists(resultsPath) && new FileInfo(resultsPath).Length > 0))
            {
                throw new BadInputException($"--out: {options.OutDir} already holds a campaign ({previous.Iterations.Count} unit(s) finished): pass --resume to go on with it, or choose another --out");
            }

            return;
        }

        if (previous.Campaigns.LastOrDefault() is not { } last)
        {
            return;
        }

        if (last.ConfigHash != options.Config.Hash)
        {
            throw new BadInputException($"--resume: {resultsPath} was started with another campaign file (config hash {last.ConfigHash}, {options.Config.Path} now has {options.Config.Hash}): its units would not line up; use a new --out");
        }

        if ((last.Enumeration ?? 1) != UnitEnumeration.Version)
        {
            throw new BadInputException($"--resume: {resultsPath} numbered its units the way of an older sim (order {last.Enumeration ?? 1}, now {UnitEnumeration.Version}): its units would not line up; use a new --out");
        }

        if (last.Shard != options.Shard.ToString())
        {
            throw new BadInputException($"--resume: {resultsPath} is shard {last.Shard}, not {options.Shard}");
        }

        if (last.SeedBase is { } recorded && recorded != seeds.Value)
        {
            // A base from today's date would mix two campaigns in one directory: a resume goes on with the campaign it finds.
            seeds = seeds.FromDate
                ? new SeedBase(recorded, $"resumed: {last.SeedSource ?? "recorded"}")
                : throw new BadInputException($"--resume: {resultsPath} explores seed base {recorded} ({last.SeedSource}), not {seeds}: its units would not line up; use a new --out");
        }
    }

    private void Loop(UnitFeed feed, Action<CampaignStatus> update)
    {
        using var router = new RouterSocket();
        router.Options.Linger = TimeSpan.FromSeconds(1);
        var port = router.BindRandomPort("tcp://127.0.0.1");
        var endpoint = $"tcp://127.0.0.1:{port}";
        try
        {
            Feed(router, endpoint, feed, update);
        }
        finally
        {
            StopWorkers(router);
        }
    }

    private void Feed(RouterSocket router, string endpoint, UnitFeed feed, Action<CampaignStatus> update)
    {
        for (var i = 0; i < options.Workers; i++)
        {
            Spawn(endpoint);
        }

        var deadline = options.Budget is { } budget ? started + (long)(budget.Value.TotalSeconds * Stopwatch.Frequency) : long.MaxValue;
        var message = new NetMQMessage();
        while (!interrupted)
        {
            var feeding = Stopwatch.GetTimestamp() < deadline;
            foreach (var worker in workers.Values.Where(w => w.Ready && w.Unit is null).ToList())
            {
                if (!feeding || !feed.TryNext(out var unit))
                {
                    break;
                }

                worker.Assign(unit);
                Send(router, worker, new WorkerMessage("unit", UnitOrder.For(unit, Path.Combine(fullOut, "findings"))));
            }

            if ((feed.IsEmpty || Stopwatch.GetTimestamp() >= deadline) && workers.Values.All(w => w.Unit is null))
            {
                finished = true;
                break;
            }

            if (router.TryReceiveMultipartMessage(TimeSpan.FromMilliseconds(50), ref message))
            {
                Handle(message);
                while (router.TryReceiveMultipartMessage(TimeSpan.Zero, ref message))
                {
                    Handle(message);
                }
            }

            CheckWorkers(router, endpoint, feed, replace: !feed.IsEmpty && Stopwatch.GetTimestamp() < deadline);
            update(new CampaignStatus(iterations.Count, findings.Count, unitsThisRun, Stopwatch.GetElapsedTime(started), workers.Count));
        }
    }

    private void Handle(NetMQMessage message)
    {
        if (message.FrameCount < 2 || !workers.TryGetValue(message[0].ConvertToString(Encoding.UTF8), out var worker))
        {
            return;
        }

        var reply = WorkerMessage.FromJson(message[1].ConvertToString(Encoding.UTF8));
        switch (reply.Kind)
        {
            case "ready":
                worker.Ready = true;
                startFailures = 0;
                break;
            case "result" when reply.Result is { } result && worker.Unit is { } unit && unit.Index == result.Unit:
                worker.Release();
                Record(unit, worker.Id, result);
                break;
            default:
                break;
        }
    }

    /// <summary>Replaces workers that exited (a crash, if they held a unit) or outlived the unit timeout (a hang).</summary>
    private void CheckWorkers(RouterSocket router, string endpoint, UnitFeed feed, bool replace)
    {
        foreach (var worker in workers.Values.ToList())
        {
            if (worker.HasExited)
            {
                // Its last result may still be on the way: take what arrived before judging.
                var message = new NetMQMessage();
                while (worker.Unit is not null && router.TryReceiveMultipartMessage(TimeSpan.FromMilliseconds(200), ref message))
                {
                    Handle(message);
                }

                Lost(worker, feed);
            }
            else if (worker.Unit is { } unit && worker.UnitElapsed > options.Config.Timeout)
            {
                var elapsed = worker.UnitElapsed;
                worker.Kill();
                Record(unit, worker.Id, Failed(unit, "hang", $"worker {worker.Id} ran unit {unit.Index} for more than the {options.Config.Timeout.TotalSeconds:F0} s unit timeout; it was killed and replaced", elapsed));
                Retire(worker);
            }
            else if (!worker.Ready && Stopwatch.GetElapsedTime(worker.Spawned) > StartTimeout)
            {
                worker.Kill();
                Retire(worker);
                if (++startFailures >= MaxStartFailures)
                {
                    throw new WorkersFailedException($"worker processes do not connect within {StartTimeout.TotalSeconds:F0} s ({startFailures} in a row); the last said: {worker.StderrTail()}");
                }
            }
            else
            {
                continue;
            }

            if (replace || workers.Count == 0)
            {
                Spawn(endpoint);
            }
        }
    }

    /// <summary>
    /// A worker exited: its unit is a crash finding, or runs again if the worker obeyed SIGTERM or believed this
    /// coordinator gone (a heartbeat answered too late on an overloaded machine is no bug of the stack).
    /// </summary>
    private void Lost(WorkerProcess worker, UnitFeed feed)
    {
        if (worker.Unit is { } unit)
        {
            if (worker.ExitCode is Terminated or Worker.LostCoordinator)
            {
                var why = worker.ExitCode == Terminated ? "was terminated (SIGTERM)" : "lost its connection to this coordinator";
                stderr.WriteLine($"fuzz: worker {worker.Id} {why} while running unit {unit.Index}: the unit runs again");
                feed.RunAgain(unit);
            }
            else
            {
                var tail = worker.StderrTail();
                Record(unit, worker.Id, Failed(unit, "crash", $"worker {worker.Id} exited with code {worker.ExitCode} while running unit {unit.Index}{(tail.Length > 0 ? ": " + tail : "")}", worker.UnitElapsed));
            }
        }
        else if (!worker.Ready && ++startFailures >= MaxStartFailures)
        {
            throw new WorkersFailedException($"worker processes exit before they start ({startFailures} in a row); the last said: {worker.StderrTail()}");
        }

        Retire(worker);
    }

    private static UnitResult Failed(WorkUnit unit, string verdict, string message, TimeSpan elapsed) =>
        new(unit.Index, verdict, null, message, null, Math.Round(elapsed.TotalSeconds, 3), null, null, [], null);

    private void Record(WorkUnit unit, int worker, UnitResult result)
    {
        var s = unit.Stream;
        var invariant = result.Verdict switch
        {
            "crash" => "worker-crash",
            "hang" => "worker-hang",
            _ => result.Invariant,
        };
        var iteration = new IterationLine
        {
            Unit = unit.Index,
            Scenario = s.Scenario,
            Engine = s.Engine,
            Strategy = s.Strategy,
            Profile = s.Profile,
            Defects = [.. s.Defects],
            Planted = s.Planted,
            Seed = unit.Seed,
            Verdict = result.Verdict,
            Invariant = invariant,
            Message = result.Message,
            Hash = result.Hash,
            WallSeconds = result.WallSeconds,
            VirtualSeconds = result.VirtualSeconds,
            Steps = result.Steps,
            Worker = worker,
            ElapsedSeconds = Math.Round(Stopwatch.GetElapsedTime(started).TotalSeconds, 3),
        };
        iterations.Add(iteration);
        unitsThisRun++;
        if (result.Verdict == "ok")
        {
            writer!.Append(iteration);
            return;
        }

        var replayFile = result.ReplayFile is { } file ? Relative(file) : null;
        var finding = FindingLine.Of(iteration, invariant ?? "unknown", unit.RunCommand, replayFile, [.. result.Files.Select(Relative)]);
        writer!.Append(iteration, finding);
        findings.Add(finding);
        findingsThisRun++;
        if (findings.Count(f => f.Scenario == finding.Scenario && f.Invariant == finding.Invariant) == 1)
        {
            progress?.Say($"new finding at unit {unit.Index}: {s.Scenario} {finding.Invariant}{(s.Planted ? $" (planted {string.Join(",", s.Defects)})" : "")}; replay: {CampaignSummary.ReplayCommand(options.OutDir, finding)}");
        }
    }

    /// <summary>A finding's file relative to the results directory, so the directory can be moved or downloaded elsewhere.</summary>
    private string Relative(string file) => Path.GetRelativePath(fullOut, file).Replace('\\', '/');

    private void Spawn(string endpoint)
    {
        var worker = WorkerProcess.Start(nextWorker++, endpoint, options.TestFaults);
        workers.Add(worker.Identity, worker);
    }

    private void Retire(WorkerProcess worker)
    {
        workers.Remove(worker.Identity);
        worker.Dispose();
    }

    private static void Send(RouterSocket router, WorkerProcess worker, WorkerMessage message)
    {
        var frames = new NetMQMessage();
        frames.Append(worker.Identity, Encoding.UTF8);
        frames.Append(message.ToJson(), Encoding.UTF8);
        router.TrySendMultipartMessage(frames);
    }

    private void StopWorkers(RouterSocket router)
    {
        foreach (var worker in workers.Values.Where(w => w.Unit is null && !interrupted))
        {
            Send(router, worker, new WorkerMessage("stop"));
        }

        foreach (var worker in workers.Values)
        {
            if (worker.Unit is not null || interrupted)
            {
                // Interrupted (or the loop failed): the unit it holds is not recorded and runs again on --resume.
                worker.Kill();
            }
            else
            {
                worker.Stop(TimeSpan.FromSeconds(3));
            }

            worker.Dispose();
        }

        workers.Clear();
    }

    private sealed class WorkersFailedException(string message) : Exception(message);
}
