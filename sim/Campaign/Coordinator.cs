using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text;
using NetMQ;
using NetMQ.Sockets;
using Sim.Cli;
using Spectre.Console;

namespace Sim.Campaign;

/// <summary>How `sim fuzz` was asked to run.</summary>
/// <param name="Config">The campaign.</param>
/// <param name="Shard">This run's shard of the units.</param>
/// <param name="Budget">The wall-time budget (from --budget, else the file), if any.</param>
/// <param name="Workers">Worker processes.</param>
/// <param name="OutDir">The results directory, as the user named it.</param>
/// <param name="Resume">Go on with the campaign already in <paramref name="OutDir"/>.</param>
/// <param name="TestFaults">The hidden test hook handed to the workers.</param>
public sealed record FuzzOptions(CampaignConfig Config, Shard Shard, (string Text, TimeSpan Value)? Budget, int Workers, string OutDir, bool Resume, string? TestFaults = null);

/// <summary>
/// Runs a campaign: enumerates this shard's units, skips those a resumed campaign already finished, feeds
/// them to worker processes over NetMQ (a RouterSocket on a random loopback port), appends every result
/// to <c>results.jsonl</c> as it comes, replaces workers that crash or hang (recording the unit they held
/// as a finding), and ends when the units or the wall budget run out, or on Ctrl-C / SIGTERM.
/// </summary>
public sealed class Coordinator(FuzzOptions options, TextWriter stdout, TextWriter stderr)
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);
    private const int MaxStartFailures = 3;

    private readonly Dictionary<string, WorkerProcess> workers = new(StringComparer.Ordinal);
    private readonly List<IterationLine> iterations = [];
    private readonly List<FindingLine> findings = [];
    private ResultsWriter? writer;
    private CampaignProgress? progress;
    private string fullOut = "";
    private int nextWorker = 1;
    private int startFailures;
    private long unitsThisRun;
    private long findingsThisRun;
    private volatile bool interrupted;

    public int Run()
    {
        var started = Stopwatch.GetTimestamp();
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
        });

        using var onInterrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, Interrupt);
        using var onTerminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Interrupt);
        var total = UnitEnumeration.Count(options.Config, options.Shard);
        using var units = UnitEnumeration.ForShard(options.Config, options.Shard).Where(u => !done.Contains(u.Index)).GetEnumerator();
        string? failure = null;
        progress = new CampaignProgress(stdout, stderr, total, options.Budget?.Value);
        try
        {
            progress.Run(update => Loop(units, started, update));
        }
        catch (WorkersFailedException e)
        {
            failure = e.Message;
        }

        var wall = Stopwatch.GetElapsedTime(started);
        writer.Append(new BatchLine
        {
            Shard = options.Shard.ToString(),
            Units = unitsThisRun,
            Bugs = findingsThisRun,
            WallSeconds = Math.Round(wall.TotalSeconds, 3),
            FinishedUtc = ResultLines.Utc(DateTime.UtcNow),
        });

        var summary = new CampaignSummary(options, iterations, findings, unitsThisRun, wall, interrupted);
        summary.Write(stdout, CampaignProgress.Interactive(stdout));
        if (failure is not null)
        {
            stderr.WriteLine($"sim: {failure}");
            return ExitCodes.Bug;
        }

        return summary.Unexpected > 0 ? ExitCodes.Bug : ExitCodes.Ok;
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

        if (previous.Campaigns.LastOrDefault() is { } last)
        {
            if (last.ConfigHash != options.Config.Hash)
            {
                throw new BadInputException($"--resume: {resultsPath} was started with another campaign file (config hash {last.ConfigHash}, {options.Config.Path} now has {options.Config.Hash}): its units would not line up; use a new --out");
            }

            if (last.Shard != options.Shard.ToString())
            {
                throw new BadInputException($"--resume: {resultsPath} is shard {last.Shard}, not {options.Shard}");
            }
        }
    }

    private void Loop(IEnumerator<WorkUnit> units, long started, Action<CampaignStatus> update)
    {
        using var router = new RouterSocket();
        router.Options.Linger = TimeSpan.FromSeconds(1);
        var port = router.BindRandomPort("tcp://127.0.0.1");
        var endpoint = $"tcp://127.0.0.1:{port}";
        try
        {
            Feed(router, endpoint, units, started, update);
        }
        finally
        {
            StopWorkers(router);
        }
    }

    private void Feed(RouterSocket router, string endpoint, IEnumerator<WorkUnit> units, long started, Action<CampaignStatus> update)
    {
        for (var i = 0; i < options.Workers; i++)
        {
            Spawn(endpoint);
        }

        var deadline = options.Budget is { } budget ? started + (long)(budget.Value.TotalSeconds * Stopwatch.Frequency) : long.MaxValue;
        var exhausted = false;
        var message = new NetMQMessage();
        while (!interrupted)
        {
            var feeding = !exhausted && Stopwatch.GetTimestamp() < deadline;
            foreach (var worker in workers.Values.Where(w => w.Ready && w.Unit is null).ToList())
            {
                if (!feeding)
                {
                    break;
                }

                if (!units.MoveNext())
                {
                    exhausted = true;
                    break;
                }

                worker.Assign(units.Current);
                Send(router, worker, new WorkerMessage("unit", UnitOrder.For(units.Current, Path.Combine(fullOut, "findings"))));
            }

            if ((exhausted || Stopwatch.GetTimestamp() >= deadline) && workers.Values.All(w => w.Unit is null))
            {
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

            CheckWorkers(router, endpoint, replace: !exhausted && Stopwatch.GetTimestamp() < deadline);
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
    private void CheckWorkers(RouterSocket router, string endpoint, bool replace)
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

                if (worker.Unit is { } unit)
                {
                    var tail = worker.StderrTail();
                    Record(unit, worker.Id, Lost(unit, "crash", $"worker {worker.Id} exited with code {worker.ExitCode} while running unit {unit.Index}{(tail.Length > 0 ? ": " + tail : "")}", worker.UnitElapsed));
                }
                else if (!worker.Ready && ++startFailures >= MaxStartFailures)
                {
                    throw new WorkersFailedException($"worker processes exit before they start ({startFailures} in a row); the last said: {worker.StderrTail()}");
                }

                Retire(worker);
            }
            else if (worker.Unit is { } unit && worker.UnitElapsed > options.Config.Timeout)
            {
                var elapsed = worker.UnitElapsed;
                worker.Kill();
                Record(unit, worker.Id, Lost(unit, "hang", $"worker {worker.Id} ran unit {unit.Index} for more than the {options.Config.Timeout.TotalSeconds:F0} s unit timeout; it was killed and replaced", elapsed));
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

    private static UnitResult Lost(WorkUnit unit, string verdict, string message, TimeSpan elapsed) =>
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
        };
        iterations.Add(iteration);
        unitsThisRun++;
        if (result.Verdict == "ok")
        {
            writer!.Append(iteration);
            return;
        }

        var replay = result.ReplayFile is { } file
            ? $"dotnet run --project sim -- replay {Path.Combine(options.OutDir, Relative(file))}"
            : unit.RunCommand;
        var finding = FindingLine.Of(iteration, invariant ?? "unknown", replay, [.. result.Files.Select(Relative)]);
        writer!.Append(iteration, finding);
        findings.Add(finding);
        findingsThisRun++;
        if (findings.Count(f => f.Scenario == finding.Scenario && f.Invariant == finding.Invariant) == 1)
        {
            progress?.Say($"new finding at unit {unit.Index}: {s.Scenario} {finding.Invariant}{(s.Planted ? $" (planted {string.Join(",", s.Defects)})" : "")}; replay: {replay}");
        }
    }

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
