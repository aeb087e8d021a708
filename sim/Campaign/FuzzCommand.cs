using System.CommandLine;
using Sim.Cli;

namespace Sim.Campaign;

/// <summary>The `sim fuzz` verb (the campaign) and the hidden `sim worker` verb its worker processes run.</summary>
internal static class FuzzCommand
{
    public static Command Build(TextWriter stdout, TextWriter stderr)
    {
        var config = new Option<string>("--config") { Description = "The campaign file.", DefaultValueFactory = _ => "scenarios.yaml" };
        var budget = new Option<string?>("--budget") { Description = "Wall-time budget, e.g. 10m (overrides the file's campaign.budget); without one, every iteration budget runs out." };
        var workers = new Option<int?>("--workers") { Description = "Worker processes (default: the file's campaign.workers, else one per core; 0 means 1)." };
        var shard = new Option<string>("--shard") { Description = "Run shard i of n (units whose index is i modulo n), e.g. 2/4.", DefaultValueFactory = _ => "0/1" };
        var outDir = new Option<string>("--out") { Description = "Results directory: results.jsonl and findings/.", DefaultValueFactory = _ => "campaign" };
        var resume = new Option<bool>("--resume") { Description = "Go on with the campaign in --out: skip the units it finished." };
        var report = new Option<string?>("--report") { Description = "When the campaign ends, also write its HTML report (as `sim report DIR --out REPORT`) into this directory." };
        var testFault = new Option<string?>("--test-fault") { Description = "Test hook: crash@UNIT,hang@UNIT makes the worker holding that unit crash or hang.", Hidden = true };
        var command = new Command("fuzz", "Run the campaign of scenarios.yaml on worker processes; results are appended to DIR/results.jsonl, findings land in DIR/findings/.")
        {
            config, budget, workers, shard, outDir, resume, report, testFault,
        };
        command.SetAction(parse =>
        {
            var campaign = CampaignConfigLoader.Load(parse.GetValue(config)!);
            var budgetValue = parse.GetValue(budget) is { } text
                ? (text, Commands.ParseDuration(text, "--budget"))
                : campaign.Budget;
            if (budgetValue is null && UnitEnumeration.Streams(campaign).Count == 0)
            {
                throw new BadInputException($"{campaign.Path}: the campaign has no units");
            }

            if (budgetValue is null)
            {
                foreach (var engine in campaign.Scenarios.SelectMany(s => s.Engines).Concat(campaign.Defects.SelectMany(d => d.Engines)).Where(e => e.Iterations is null))
                {
                    throw new BadInputException($"{campaign.Path}:{engine.Line}: {engine.Path}: no 'iterations' and no wall budget (campaign.budget or --budget): the campaign would never end");
                }
            }

            var count = parse.GetValue(workers) ?? campaign.Workers ?? Environment.ProcessorCount;
            if (count < 0)
            {
                throw new BadInputException($"--workers must be 0 or more (got {count})");
            }

            var faults = parse.GetValue(testFault);
            _ = TestFaults.Parse(faults, "--test-fault");
            var options = new FuzzOptions(campaign, Shard.Parse(parse.GetValue(shard)!, "--shard"), budgetValue, Math.Max(1, count), parse.GetValue(outDir)!, parse.GetValue(resume), faults);
            var exit = new Coordinator(options, stdout, stderr).Run();
            if (parse.GetValue(report) is { } reportDir)
            {
                var results = Report.ResultsReader.Read([options.OutDir]);
                foreach (var warning in results.Warnings)
                {
                    stderr.WriteLine($"sim report: warning: {warning}");
                }

                var page = new Report.HtmlReport(results, reportDir, line => stderr.WriteLine($"sim report: {line}")).Write();
                stdout.WriteLine($"report: {page}");
            }

            return exit;
        });
        return command;
    }

    public static Command Worker()
    {
        var connect = new Option<string>("--connect") { Description = "The coordinator's NetMQ endpoint.", Required = true };
        var id = new Option<int>("--id") { Description = "This worker's number.", Required = true };
        var parent = new Option<int?>("--parent") { Description = "The coordinator's process id: the worker exits when it is gone." };
        var testFault = new Option<string?>("--test-fault") { Description = "Test hook (see sim fuzz)." };
        var command = new Command("worker", "A campaign worker process (started by sim fuzz).") { connect, id, parent, testFault };
        command.Hidden = true;
        command.SetAction(parse => Campaign.Worker.Run(parse.GetValue(connect)!, parse.GetValue(id), parse.GetValue(parent), TestFaults.Parse(parse.GetValue(testFault), "--test-fault")));
        return command;
    }
}
