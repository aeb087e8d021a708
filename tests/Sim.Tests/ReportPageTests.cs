using Sim.Campaign;
using Sim.Cli;
using Sim.Engine;
using Sim.Report;
using Sim.Scenarios;
using Sim.Shared;
using Sim.Stack.Defects;

namespace Sim.Tests;

/// <summary>The report page: planted and unexpected findings apart, "not run" for a planted defect that got no unit, no empty chart, the script on the timeline.</summary>
public sealed class ReportPageTests : IDisposable
{
    private readonly DirectoryInfo dir = Directory.CreateTempSubdirectory("sim-report-page-");

    public void Dispose() => dir.Delete(recursive: true);

    [Fact]
    public void APlantedDefectThatNeverRanIsNotRunAndTheCampaignStillPlantsIt()
    {
        var results = Results("not-run", planted: [DefectCatalogue.AckBeforeFlush], (1, "heartbeat", [], "ok", null));

        var html = Report(results);

        Assert.Contains($"<td>{DefectCatalogue.AckBeforeFlush}</td><td>register</td><td>-</td><td class=\"n\">0</td><td class=\"n\">-</td><td class=\"n\"><b>not run</b></td>", html, StringComparison.Ordinal);
        Assert.DoesNotContain("no defect planted", html, StringComparison.Ordinal);
    }

    [Fact]
    public void NoFindingsIsSaidInWordsWithoutAnEmptyChart()
    {
        var results = Results("clean", planted: [], (1, "heartbeat", [], "ok", null), (2, "heartbeat", [], "ok", null));

        var html = Report(results);

        Assert.Contains("<p class=\"ok\">No findings.</p>", html, StringComparison.Ordinal);
        Assert.DoesNotContain("img/findings", html, StringComparison.Ordinal);
        Assert.Empty(Directory.GetFiles(Path.Combine(dir.FullName, "report-clean", "img"), "findings*"));
    }

    [Fact]
    public void UnexpectedFindingsAreDrawnApartFromPlantedOnesAndFirst()
    {
        var results = Results("mixed", planted: [DefectCatalogue.AckBeforeFlush],
            (1, "register", [DefectCatalogue.AckBeforeFlush], "bug", "no-lost-acknowledged-write"),
            (2, "heartbeat", [], "bug", "every-node-hears-every-other"),
            (3, "heartbeat", [], "ok", null));

        var html = Report(results);

        var unexpected = html.IndexOf("<h3>Unexpected: bugs of the stack or the testbed</h3>", StringComparison.Ordinal);
        var planted = html.IndexOf("<h3>From planted defects (expected)</h3>", StringComparison.Ordinal);
        Assert.InRange(unexpected, 0, planted - 1);
        Assert.True(html.IndexOf("img/findings-unexpected.png", StringComparison.Ordinal) is var u && u > unexpected && u < planted, "the unexpected chart belongs to its section");
        Assert.True(html.IndexOf("img/findings-planted.png", StringComparison.Ordinal) > planted, "the planted chart belongs to its section");
    }

    [Fact]
    public void TheScenariosOwnScriptIsMarkedOnItsTimeline()
    {
        var scenario = ScenarioCatalog.Find("client-reconnect")!;
        var timeline = RunTimeline.Of(Simulation.Run(scenario, new RunConfig(scenario.Name, 1, "random", DefectSet.None)));

        Assert.Contains(timeline.Scripted, e => e.Action == "Kill" && e.Details.Contains("scheduler", StringComparison.Ordinal));
        Assert.Contains(timeline.Scripted, e => e.Action == "Start" && e.Details.Contains("scheduler", StringComparison.Ordinal));

        var html = Report(Results("scripted", planted: [], (1, "client-reconnect", [], "ok", null)));
        Assert.Contains("Scripted by the scenario itself (dotted lines; traffic that drops to zero right after one is the script's doing, not a random fault): ", html, StringComparison.Ordinal);
        Assert.Contains(" s kill scheduler", html, StringComparison.Ordinal);
    }

    private string Report(string results)
    {
        var page = Path.Combine(dir.FullName, "report-" + Path.GetFileName(results));
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();

        var code = Program.Run(["report", results, "--out", page], stdout, stderr);

        Assert.True(code == ExitCodes.Ok, stderr.ToString() + stdout);
        return File.ReadAllText(Path.Combine(page, "index.html"));
    }

    /// <summary>A results directory as `sim fuzz` writes it: a campaign line planting <paramref name="planted"/>, then the units.</summary>
    private string Results(string name, string[] planted, params (long Unit, string Scenario, string[] Defects, string Verdict, string? Invariant)[] units)
    {
        var results = dir.CreateSubdirectory(name).FullName;
        var lines = new List<object>
        {
            new CampaignLine { Config = "scenarios.yaml", ConfigHash = "0123456789abcdef", Shard = "0/1", Budget = "2m", Workers = 2, Resumed = false, StartedUtc = "2026-11-23T02:17:00Z", SeedBase = 20261123000000, SeedSource = "auto: UTC date 2026-11-23", PlantedDefects = planted },
        };
        foreach (var (unit, scenario, defects, verdict, invariant) in units)
        {
            var iteration = new IterationLine
            {
                Unit = unit,
                Scenario = scenario,
                Engine = "loop",
                Strategy = "random",
                Profile = null,
                Defects = defects,
                Planted = defects.Length > 0,
                Seed = 20261123000000 + (ulong)unit,
                Verdict = verdict,
                Invariant = invariant,
                Message = invariant is null ? null : "it broke",
                Hash = "0123456789abcdef",
                WallSeconds = 0.05,
                VirtualSeconds = 40,
                Steps = 100,
                Worker = 1,
            };
            lines.Add(iteration);
            if (invariant is not null)
            {
                lines.Add(FindingLine.Of(iteration, invariant, $"dotnet run --project sim -- run {scenario} --seed {iteration.Seed} --strategy random", null, []));
            }
        }

        File.WriteAllLines(Path.Combine(results, ResultsFile.FileName), lines.Select(ResultLines.Serialize));
        return results;
    }
}
