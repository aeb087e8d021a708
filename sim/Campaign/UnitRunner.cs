using System.Diagnostics;
using Sim.Engine;
using Sim.Scenarios;
using Sim.Shared;
using Sim.Stack.Defects;
using Sim.Worlds;

namespace Sim.Campaign;

/// <summary>Runs one unit with its engine (in a worker process) and writes a finding's replay files.</summary>
public static class UnitRunner
{
    public static UnitResult Run(UnitOrder unit)
    {
        var scenario = ScenarioCatalog.Find(unit.Scenario) ?? throw new InvalidOperationException($"unknown scenario '{unit.Scenario}'");
        var engine = Engines.Find(unit.Engine) ?? throw new InvalidOperationException($"unknown engine '{unit.Engine}'");
        var profile = unit.Profile is null ? null : FaultProfile.Builtin.First(p => p.Name == unit.Profile);
        var config = new RunConfig(unit.Scenario, unit.Seed, unit.Strategy, new DefectSet(unit.Defects), profile, KeepEventLog: false);
        var settings = new EngineSettings(unit.Bound);
        var outcome = engine.Run(scenario, config, settings);
        var wall = outcome.WallTime.TotalSeconds;
        if (!outcome.IsBug)
        {
            return new UnitResult(unit.Unit, "ok", null, null, outcome.Hash, Math.Round(wall, 4), outcome.VirtualTime.TotalSeconds, outcome.Steps, [], null);
        }

        // Writing the files may replay the unit with its event log kept: its wall time counts too.
        var started = Stopwatch.GetTimestamp();
        var files = FindingFiles.Write(engine, scenario, outcome, settings, Path.Combine(unit.FindingsDir, $"unit{unit.Unit}-{FindingFiles.Stem(config, unit.Engine)}"));
        wall += Stopwatch.GetElapsedTime(started).TotalSeconds;
        return new UnitResult(unit.Unit, "bug", outcome.Invariant, outcome.Message, outcome.Hash, Math.Round(wall, 4), outcome.VirtualTime.TotalSeconds, outcome.Steps, [.. files.All], files.ReplayTarget);
    }
}
