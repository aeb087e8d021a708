using Sim.Campaign;

namespace Sim.Bench;

/// <summary>
/// Campaign throughput: the same loop-engine campaign (register and heartbeat, random and pct) run by
/// `sim fuzz` with one worker process and with two, worker start-up and result writing included.
/// </summary>
public static class CampaignBenchmark
{
    private const int Seeds = 30;

    public static IEnumerable<Figure> Run(Action<string> progress)
    {
        var dir = Directory.CreateTempSubdirectory("sim-bench-campaign-");
        try
        {
            var config = Path.Combine(dir.FullName, "bench.yaml");
            File.WriteAllText(config, $"""
                campaign:
                  timeout: 2m
                scenarios:
                  - name: register
                    engines:
                      - engine: loop
                        strategies: [random, pct]
                        iterations: {Seeds}
                  - name: heartbeat
                    engines:
                      - engine: loop
                        strategies: [random, pct]
                        iterations: {Seeds}
                """);
            var campaign = CampaignConfigLoader.Load(config);
            var rates = new Dictionary<int, double>();
            foreach (var workers in new[] { 1, 2 })
            {
                progress($"campaign: {Seeds * 4} loop-engine units (register, heartbeat x random, pct) with {workers} worker process(es)");
                var outDir = Path.Combine(dir.FullName, $"workers-{workers}");
                var code = new Coordinator(new FuzzOptions(campaign, Shard.Whole, null, workers, outDir, Resume: false, new SeedBase(1, "the benchmark")), TextWriter.Null, TextWriter.Null).Run();
                var results = ResultsFile.Read(Path.Combine(outDir, ResultsFile.FileName));
                if (code != 0 || results.Iterations.Count != Seeds * 4)
                {
                    throw new InvalidOperationException($"the benchmark campaign with {workers} worker(s) exited {code} after {results.Iterations.Count} of {Seeds * 4} units");
                }

                var batch = results.Batches.Single();
                rates[workers] = batch.Units / batch.WallSeconds;
                yield return new Figure($"campaign.workers_{workers}.units_per_second", Math.Round(rates[workers], 2), "units/s",
                    $"{batch.Units} units in {batch.WallSeconds:F1} s wall, worker start-up included");
            }

            yield return new Figure("campaign.scaling_2_vs_1", Math.Round(rates[2] / rates[1], 3), "ratio", $"two workers' rate over one worker's, on {Environment.ProcessorCount} core(s)");
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }
}
