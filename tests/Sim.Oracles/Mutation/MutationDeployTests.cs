using System.Globalization;
using System.Text.RegularExpressions;
using Sim.Report.Mutation;
using YamlDotNet.RepresentationModel;

namespace Sim.Oracles.Mutation;

/// <summary>
/// deploy/: the nightly mutation workflow and the Kubernetes mutation job call tests/Sim.Oracles/mutate with
/// arguments it accepts, over shard counts that match their matrix or completions, and score what they wrote.
/// </summary>
public sealed class MutationDeployTests
{
    [Fact]
    public void TheWorkflowMutatesEveryShardAndScoresEveryShardsArtifact()
    {
        var jobs = Map(Load("deploy/github/nightly-mutation.yml"), "jobs");
        var mutate = Map(jobs, "mutate");
        var shards = ((YamlSequenceNode)Map(Map(mutate, "strategy"), "matrix").Children["shard"]).Children.Select(n => int.Parse(n.ToString(), CultureInfo.InvariantCulture)).ToList();
        Assert.Equal(Enumerable.Range(0, shards.Count), shards);

        var steps = Steps(mutate);
        var run = Assert.Single(steps, s => Text(s, "run")?.StartsWith("tests/Sim.Oracles/mutate ", StringComparison.Ordinal) == true);
        var upload = Map(Assert.Single(steps, s => Text(s, "uses")?.StartsWith("actions/upload-artifact@", StringComparison.Ordinal) == true), "with");
        var names = new List<string>();
        foreach (var shard in shards)
        {
            string Expand(string text) => text.Replace("${{ matrix.shard }}", shard.ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal);
            var args = Expand(Text(run, "run")!).Split(' ', StringSplitOptions.RemoveEmptyEntries)[1..];
            Assert.Equal($"{shard}/{shards.Count}", After(args, "--shard"));
            Assert.Equal(Expand(Text(upload, "path")!), After(args, "--out"));
            Assert.Equal(0, MutationSetupTests.Mutate([.. args, "--list"]).Code);
            names.Add(Expand(Text(upload, "name")!));
        }

        var score = Map(jobs, "score");
        Assert.Equal("mutate", Text(score, "needs"));
        var download = Map(Assert.Single(Steps(score), s => Text(s, "uses")?.StartsWith("actions/download-artifact@", StringComparison.Ordinal) == true), "with");
        var pattern = new Regex("^" + Regex.Escape(Text(download, "pattern")!).Replace("\\*", ".*", StringComparison.Ordinal) + "$");
        Assert.All(names, n => Assert.Matches(pattern, n));
        var scoring = Text(Assert.Single(Steps(score), s => Text(s, "run")?.Contains(" score ", StringComparison.Ordinal) == true), "run")!;
        Assert.Contains($" score {Text(download, "path")}/*/* ", scoring, StringComparison.Ordinal);
    }

    [Fact]
    public void TheIndexedJobsCompletionIndexIsTheShardAndTheScoreJobReadsItsOutput()
    {
        var job = Load("deploy/k8s/mutation-job.yaml", document: 1);
        var spec = Map(job, "spec");
        Assert.Equal("Indexed", Text(spec, "completionMode"));
        var completions = int.Parse(Text(spec, "completions")!, CultureInfo.InvariantCulture);
        var container = (YamlMappingNode)((YamlSequenceNode)Map(Map(spec, "template"), "spec").Children["containers"]).Children.Single();
        var args = ((YamlSequenceNode)container.Children["args"]).Children.Select(a => a.ToString()).ToList();
        Assert.Equal($"$(JOB_COMPLETION_INDEX)/{completions}", After(args, "--shard"));
        for (var index = 0; index < completions; index++)
        {
            var expanded = args.Select(a => a.Replace("$(JOB_COMPLETION_INDEX)", index.ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal)).ToList();
            Assert.Equal(0, MutationSetupTests.Mutate([.. expanded.Select(a => a.StartsWith("/results", StringComparison.Ordinal) ? Path.Combine(Path.GetTempPath(), "sim-mutation-deploy-test") : a), "--list"]).Code);
        }

        var scoreJob = Load("deploy/k8s/mutation-score-job.yaml");
        var scoreContainer = (YamlMappingNode)((YamlSequenceNode)Map(Map(Map(scoreJob, "spec"), "template"), "spec").Children["containers"]).Children.Single();
        var script = string.Join(' ', ((YamlSequenceNode)scoreContainer.Children["args"]).Children.Select(a => a.ToString()));
        Assert.Contains($" score {After(args, "--out")}/*/ ", script, StringComparison.Ordinal);
        Assert.Contains($" survivors {After(args, "--out")}/*/ ", script, StringComparison.Ordinal);
    }

    private static string After(IReadOnlyList<string> args, string flag)
    {
        var i = args.ToList().IndexOf(flag);
        Assert.True(i >= 0 && i + 1 < args.Count, $"{flag} missing from: {string.Join(' ', args)}");
        return args[i + 1];
    }

    private static YamlMappingNode Load(string path, int document = 0)
    {
        var stream = new YamlStream();
        using var reader = new StreamReader(Path.Combine(MutationSetupTests.Root, path));
        stream.Load(reader);
        return (YamlMappingNode)stream.Documents[document].RootNode;
    }

    private static YamlMappingNode Map(YamlMappingNode node, string key) => (YamlMappingNode)node.Children[key];

    private static string? Text(YamlMappingNode node, string key) => node.Children.TryGetValue(key, out var value) ? value.ToString() : null;

    private static List<YamlMappingNode> Steps(YamlMappingNode job) => ((YamlSequenceNode)job.Children["steps"]).Children.Cast<YamlMappingNode>().ToList();
}
