using System.CommandLine;
using Sim.Campaign;
using Sim.Report;
using Sim.Shared;

namespace Sim.Cli;

/// <summary>`sim fuzz`: the campaign of scenarios.yaml on worker processes, and with --report its HTML report.</summary>
internal static class FuzzCommand
{
    public static Command Build(CliContext cli)
    {
        var config = new Option<string>("--config") { Description = "The campaign file.", DefaultValueFactory = _ => "scenarios.yaml" };
        var budget = new Option<string?>("--budget") { Description = "Wall-time budget, e.g. 10m (overrides the file's campaign.budget); without one, every iteration budget runs out." };
        var workers = WholeNumbers.Optional("--workers", $"Worker processes (default: the file's campaign.workers, else one per core; 0 means 1; at most 2 per core, {MaxWorkers}, without --workers-max-override).", 0, 100_000);
        var overrideMax = new Option<bool>("--workers-max-override") { Description = "Allow more workers than 2 per core (each worker is a process with its own memory)." };
        var shard = new Option<string>("--shard") { Description = "Run shard i of n (units whose index is i modulo n), e.g. 2/4.", DefaultValueFactory = _ => "0/1" };
        var seedBase = new Option<string?>("--seed-base") { Description = "The seed of every stream's first round (overrides campaign.seeds.start): a whole number, a UTC date YYYY-MM-DD (its base, yyyymmdd x 1000000), or auto (today's UTC date)." };
        var outDir = new Option<string>("--out") { Description = "Results directory: results.jsonl and findings/ (checked before the campaign starts).", DefaultValueFactory = _ => "campaign" };
        var resume = new Option<bool>("--resume") { Description = "Go on with the campaign in --out: skip the units it finished (with its recorded seed base when the base comes from the date)." };
        var report = new Option<string?>("--report") { Description = "When the campaign ends, also write its HTML report (as `sim report DIR --out REPORT`) into this directory." };
        var testFault = new Option<string?>("--test-fault") { Description = "Test hook: crash@UNIT,hang@UNIT,slow@UNIT makes the worker holding that unit crash, hang, or sleep 8 s first.", Hidden = true };
        var command = new Command("fuzz", Commands.Describe("Run the campaign of scenarios.yaml on worker processes; results are appended to DIR/results.jsonl, findings land in DIR/findings/."))
        {
            config, budget, workers, overrideMax, shard, seedBase, outDir, resume, report, testFault,
        };
        command.SetAction(parse =>
        {
            var campaign = CampaignConfigLoader.Load(parse.GetValue(config)!);
            var budgetValue = parse.GetValue(budget) is { } text ? (text, Durations.Parse(text, "--budget")) : campaign.Budget;
            CheckEnds(campaign, budgetValue);
            var count = Workers(parse.GetValue(workers), campaign, parse.GetValue(overrideMax));
            var faults = parse.GetValue(testFault);
            _ = TestFaults.Parse(faults, "--test-fault");
            var shardValue = Shard.Parse(parse.GetValue(shard)!, "--shard");
            var seeds = parse.GetValue(seedBase) is { } given ? SeedBase.Parse(given, "--seed-base", cli.UtcNow())
                : campaign.SeedStart is { } start ? new SeedBase(start, $"campaign.seeds.start in {campaign.Path}")
                : SeedBase.Parse(SeedBase.Auto, "campaign.seeds.start", cli.UtcNow());
            var results = parse.GetValue(outDir)!;
            OutputDirectory.Prepare(results, "--out");
            var reportDir = parse.GetValue(report);
            if (reportDir is not null)
            {
                OutputDirectory.Prepare(reportDir, "--report");
            }

            var options = new FuzzOptions(campaign, shardValue, budgetValue, count, results, parse.GetValue(resume), seeds, faults);
            var exit = new Coordinator(options, cli.Stdout, cli.Stderr).Run();
            if (reportDir is not null)
            {
                var read = ResultsReader.Read([results]);
                foreach (var warning in read.Warnings)
                {
                    cli.Stderr.WriteLine($"sim report: warning: {warning}");
                }

                var page = new HtmlReport(read, reportDir, line => cli.Stderr.WriteLine($"sim report: {line}")).Write();
                cli.Stdout.WriteLine($"report: {page}");
            }

            return exit;
        });
        return command;
    }

    /// <summary>Twice the cores: past that, workers only queue for CPU and memory.</summary>
    private static int MaxWorkers => Environment.ProcessorCount * 2;

    /// <summary>A campaign must end: by its iteration budgets, or by a wall budget.</summary>
    private static void CheckEnds(CampaignConfig campaign, (string, TimeSpan)? budget)
    {
        if (budget is not null)
        {
            return;
        }

        foreach (var engine in campaign.Scenarios.SelectMany(s => s.Engines).Concat(campaign.Defects.SelectMany(d => d.Engines)).Where(e => e.Iterations is null))
        {
            throw new BadInputException($"{campaign.Path}:{engine.Line}: {engine.Path}: runs until the wall budget ends ({CampaignConfigLoader.UntilBudget}, or no 'iterations'), but there is no wall budget (campaign.budget or --budget): the campaign would never end");
        }
    }

    private static int Workers(int? flag, CampaignConfig campaign, bool overrideMax)
    {
        var count = Math.Max(1, flag ?? campaign.Workers ?? Environment.ProcessorCount);
        if (count > MaxWorkers && !overrideMax)
        {
            var what = flag is not null ? $"--workers {flag}" : $"campaign.workers {campaign.Workers} in {campaign.Path}";
            throw new BadInputException($"{what}: more than {MaxWorkers} (2 per core on this machine's {Environment.ProcessorCount}) would only queue for CPU and memory; pass --workers-max-override to run that many anyway");
        }

        return count;
    }
}
