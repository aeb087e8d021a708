using System.Diagnostics;
using System.Globalization;
using Sim.Cli;
using Sim.Engine;
using Sim.Engine.Coyote;
using Sim.Scenarios;
using Sim.Stack.Defects;
using Sim.Worlds;

namespace Sim.Campaign;

/// <summary>Runs one unit with the real engines (in a worker process) and writes a finding's replay files.</summary>
public static class UnitRunner
{
    public static UnitResult Run(UnitOrder unit)
    {
        var scenario = ScenarioCatalog.Find(unit.Scenario) ?? throw new InvalidOperationException($"unknown scenario '{unit.Scenario}'");
        var profile = unit.Profile is null ? null : FaultProfile.Builtin.First(p => p.Name == unit.Profile);
        var config = new RunConfig(unit.Scenario, unit.Seed, unit.Strategy, new DefectSet(unit.Defects), profile);
        var stem = Path.Combine(unit.FindingsDir, $"unit{unit.Unit}-{FindingFiles.Stem(config, unit.Engine)}");
        return unit.Engine switch
        {
            "loop" => Loop(unit, scenario, config, stem),
            "coyote" => Coyote(unit, scenario, config, stem),
            _ => throw new InvalidOperationException($"unknown engine '{unit.Engine}'"),
        };
    }

    private static UnitResult Loop(UnitOrder unit, Scenario scenario, RunConfig config, string stem)
    {
        var result = Simulation.Run(scenario, config with { KeepEventLog = false });
        var wall = result.WallTime.TotalSeconds;
        if (result.Violation is not { } violation)
        {
            return new UnitResult(unit.Unit, "ok", null, null, result.Hash, Math.Round(wall, 4), result.VirtualTime.TotalSeconds, result.Steps, [], null);
        }

        var started = Stopwatch.GetTimestamp();
        var files = FindingFiles.WriteLoop(scenario, config, stem);
        wall += Stopwatch.GetElapsedTime(started).TotalSeconds;
        return new UnitResult(unit.Unit, "bug", violation.Invariant, violation.Message, result.Hash, Math.Round(wall, 4), result.VirtualTime.TotalSeconds, result.Steps, [.. files.All], files.ReplayTarget);
    }

    private static UnitResult Coyote(UnitOrder unit, Scenario scenario, RunConfig config, string stem)
    {
        var options = new CoyoteOptions(unit.Strategy, 1, null, unit.Bound);
        var outcome = CoyoteEngine.Explore(scenario, config, options);
        var (steps, seconds) = LastStamp(outcome.Log);
        if (!outcome.IsBug)
        {
            return new UnitResult(unit.Unit, "ok", null, null, outcome.Hash, Math.Round(outcome.WallTime.TotalSeconds, 4), seconds, steps, [], null);
        }

        var files = FindingFiles.WriteCoyote(scenario, config, options, outcome, stem);
        var invariant = outcome.Violation?.Invariant ?? "testbed-defect";
        var message = outcome.Violation?.Message ?? outcome.TestbedError;
        return new UnitResult(unit.Unit, "bug", invariant, message, outcome.Hash, Math.Round(outcome.WallTime.TotalSeconds, 4), seconds, steps, [.. files.All],
            files.Report is null ? null : files.ReplayTarget);
    }

    /// <summary>The step and virtual time of the iteration's last event (its <c>run.end</c>), as the loop engine reports them.</summary>
    private static (long? Steps, double? Seconds) LastStamp(EventLog? log)
    {
        var fields = log is { Lines.Count: > 0 } ? log.Lines[^1].Split(' ', 3) : [];
        return fields.Length >= 2
            && long.TryParse(fields[0], NumberStyles.None, CultureInfo.InvariantCulture, out var step)
            && double.TryParse(fields[1], NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds)
            ? (step, seconds)
            : (null, null);
    }
}
