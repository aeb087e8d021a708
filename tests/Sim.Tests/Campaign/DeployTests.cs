using System.CommandLine;
using System.Globalization;
using System.Text.RegularExpressions;
using Sim.Campaign;
using Sim.Cli;
using Sim.Shared;
using YamlDotNet.RepresentationModel;

namespace Sim.Tests.Campaign;

/// <summary>
/// deploy/: the GitHub Actions workflow and the Kubernetes jobs run `sim fuzz` and `sim report` with the
/// flags the real command line has (parsed by the root of <see cref="Commands.Build(TextWriter, TextWriter)"/>, so a renamed
/// flag fails here), over shard counts, output directories, artifact paths and one night's seed base that agree.
/// </summary>
public sealed class DeployTests
{
    private static readonly string Root = FindRoot();

    [Fact]
    public void TheWorkflowRunsEveryShardAndReportsOverEveryShardsArtifact()
    {
        var workflow = Load("deploy/github/nightly-campaign.yml").Single();
        var jobs = Map(workflow, "jobs");
        var fuzz = Map(jobs, "fuzz");
        var shards = Seq(Map(Map(fuzz, "strategy"), "matrix"), "shard").Select(int.Parse).ToList();
        Assert.Equal(Enumerable.Range(0, shards.Count), shards);
        Assert.True(shards.Count > 1, "the matrix should split the campaign");

        var steps = Steps(fuzz);
        var run = Assert.Single(steps, s => Text(s, "run")?.Contains(" fuzz ", StringComparison.Ordinal) == true);
        var upload = Assert.Single(steps, s => Text(s, "uses")?.StartsWith("actions/upload-artifact@", StringComparison.Ordinal) == true);

        // The night's seed base: one job fixes the UTC date, every shard passes that one date.
        var night = Regex.Match(Text(run, "run")!, @"--seed-base \$\{\{ needs\.([\w-]+)\.outputs\.([\w-]+) \}\}");
        Assert.True(night.Success, "every shard passes the night's date from one job as --seed-base");
        Assert.Equal(night.Groups[1].Value, Text(fuzz, "needs"));
        var dateJob = Map(jobs, night.Groups[1].Value);
        Assert.Contains("date -u +%Y-%m-%d", Text(Steps(dateJob).Single(), "run"), StringComparison.Ordinal);
        Assert.Contains($"steps.", Text(Map(dateJob, "outputs"), night.Groups[2].Value), StringComparison.Ordinal);
        var artifacts = new List<string>();
        var bases = new HashSet<ulong>();
        foreach (var shard in shards)
        {
            string Expand(string text) => text.Replace("${{ matrix.shard }}", shard.ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal).Replace(night.Value, "--seed-base 2026-11-23", StringComparison.Ordinal);
            var parse = ParseSim(Expand(Text(run, "run")!));
            Assert.Equal("fuzz", parse.CommandResult.Command.Name);
            bases.Add(SeedBase.Parse(parse.GetValue<string>("--seed-base")!, "--seed-base", DateTime.UtcNow).Value);
            Assert.Equal($"{shard}/{shards.Count}", parse.GetValue<string>("--shard"));
            Assert.True(File.Exists(Path.Combine(Root, parse.GetValue<string>("--config")!)), "the workflow's --config names a file of the repository");
            Assert.NotNull(parse.GetValue<string>("--budget"));
            Assert.Equal(Expand(Text(Map(upload, "with"), "path")!), parse.GetValue<string>("--out"));
            artifacts.Add(Expand(Text(Map(upload, "with"), "name")!));
        }

        Assert.Equal([SeedBase.OfDate(new DateOnly(2026, 11, 23))], bases);
        var report = Map(jobs, "report");
        Assert.Equal("fuzz", Text(report, "needs"));
        var reportSteps = Steps(report);
        var download = Map(Assert.Single(reportSteps, s => Text(s, "uses")?.StartsWith("actions/download-artifact@", StringComparison.Ordinal) == true), "with");
        var pattern = new Regex("^" + Regex.Escape(Text(download, "pattern")!).Replace("\\*", ".*", StringComparison.Ordinal) + "$");
        Assert.All(artifacts, a => Assert.Matches(pattern, a));
        var reportLine = Text(Assert.Single(reportSteps, s => Text(s, "run")?.Contains(" report ", StringComparison.Ordinal) == true), "run")!;
        var inputs = ReportInputs(SimArgs(reportLine));
        Assert.Equal(artifacts.Select(a => $"{Text(download, "path")}/{a}").Order(), inputs.Order());
    }

    [Fact]
    public void TheIndexedJobsCompletionIndexIsTheShardAndTheReportJobReadsEveryShard()
    {
        var documents = Load("deploy/k8s/campaign-job.yaml").Concat(Load("deploy/k8s/report-job.yaml")).ToList();
        var job = Assert.Single(documents, d => Text(d, "kind") == "Job" && Text(Map(d, "spec"), "completionMode") == "Indexed");
        var spec = Map(job, "spec");
        var completions = int.Parse(Text(spec, "completions")!, CultureInfo.InvariantCulture);
        Assert.True(completions > 1, "the job should split the campaign");
        var pod = Map(Map(spec, "template"), "spec");
        var fuzz = (YamlMappingNode)((YamlSequenceNode)pod.Children["containers"]).Children.Single();

        // The night's seed base: an environment variable from the ConfigMap run-campaign.sh writes the date into.
        var env = (YamlMappingNode)((YamlSequenceNode)fuzz.Children["env"]).Children.Single();
        var variable = Text(env, "name")!;
        var source = Map(Map(env, "valueFrom"), "configMapKeyRef");
        Assert.Contains($"kubectl create configmap {Text(source, "name")} --from-literal={Text(source, "key")}=\"$(date -u +%Y-%m-%d)\"", File.ReadAllText(Path.Combine(Root, "deploy/k8s/run-campaign.sh")), StringComparison.Ordinal);
        var outs = new List<string>();
        for (var index = 0; index < completions; index++)
        {
            var args = Command(fuzz).Select(a => a.Replace("$(JOB_COMPLETION_INDEX)", index.ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal).Replace($"$({variable})", "2026-11-23", StringComparison.Ordinal)).ToList();
            Assert.DoesNotContain(args, a => a.Contains("$(", StringComparison.Ordinal));
            var parse = Parse(args);
            Assert.Equal("fuzz", parse.CommandResult.Command.Name);
            Assert.Equal($"{index}/{completions}", parse.GetValue<string>("--shard"));
            Assert.True(parse.GetValue<bool>("--resume"), "a retried pod must go on where its shard stopped");
            Assert.Equal(SeedBase.OfDate(new DateOnly(2026, 11, 23)), SeedBase.Parse(parse.GetValue<string>("--seed-base")!, "--seed-base", DateTime.UtcNow).Value);
            outs.Add(parse.GetValue<string>("--out")!);
        }

        Assert.Equal(completions, outs.Distinct().Count());
        var mount = Text(Map(fuzz, "volumeMounts", 0), "mountPath")!;
        Assert.All(outs, o => Assert.StartsWith(mount + "/", o, StringComparison.Ordinal));

        var reportJob = Assert.Single(documents, d => Text(d, "kind") == "Job" && Text(Map(d, "metadata"), "name")!.EndsWith("-report", StringComparison.Ordinal));
        var reportPod = Map(Map(Map(reportJob, "spec"), "template"), "spec");
        var report = (YamlMappingNode)((YamlSequenceNode)reportPod.Children["containers"]).Children.Single();
        Assert.Equal(Text(fuzz, "image"), Text(report, "image"));
        Assert.Equal(mount, Text(Map(report, "volumeMounts", 0), "mountPath"));
        Assert.Equal(Text(Map(Map(pod, "volumes", 0), "persistentVolumeClaim"), "claimName"), Text(Map(Map(reportPod, "volumes", 0), "persistentVolumeClaim"), "claimName"));
        Assert.Equal(outs.Order(), ReportInputs(Command(report)).Order());
    }

    /// <summary>The positional directories of a `sim report DIR... --out DIR` line.</summary>
    private static List<string> ReportInputs(List<string> args)
    {
        var parse = Parse(args);
        Assert.Equal("report", parse.CommandResult.Command.Name);
        Assert.NotNull(parse.GetValue<string>("--out"));
        return [.. parse.CommandResult.Children.OfType<System.CommandLine.Parsing.ArgumentResult>().SelectMany(a => a.Tokens).Select(t => t.Value)];
    }

    private static ParseResult ParseSim(string line) => Parse(SimArgs(line));

    private static ParseResult Parse(IReadOnlyList<string> args)
    {
        var parse = Commands.Build(TextWriter.Null, TextWriter.Null).Parse([.. args]);
        Assert.True(parse.Errors.Count == 0, $"'sim {string.Join(" ", args)}': {string.Join("; ", parse.Errors.Select(e => e.Message))}");
        return parse;
    }

    /// <summary>The arguments given to `sim` by a shell line: after `dotnet run ... --`, or after a `sim` executable.</summary>
    private static List<string> SimArgs(string line)
    {
        var tokens = line.Replace("\\\n", " ", StringComparison.Ordinal).Split((char[])[' ', '\n', '\t'], StringSplitOptions.RemoveEmptyEntries).ToList();
        if (tokens is ["dotnet", "run", ..])
        {
            Assert.Contains("sim", tokens.SkipWhile(t => t != "--project").Skip(1).Take(1));
            return tokens[(tokens.IndexOf("--") + 1)..];
        }

        var at = tokens.FindIndex(t => t == "sim" || t.EndsWith("/sim", StringComparison.Ordinal));
        Assert.True(at >= 0, $"no sim command in '{line}'");
        return tokens[(at + 1)..];
    }

    /// <summary>A container's command and args, as Kubernetes runs them.</summary>
    private static List<string> Command(YamlMappingNode container)
    {
        var command = Seq(container, "command");
        Assert.True(command is ["/app/sim"], $"the container runs {string.Join(" ", command)}");
        return [.. command.Skip(1), .. Seq(container, "args")];
    }

    private static List<YamlMappingNode> Steps(YamlMappingNode job) => [.. ((YamlSequenceNode)job.Children["steps"]).Children.Cast<YamlMappingNode>()];

    private static YamlMappingNode Map(YamlMappingNode node, string key) =>
        node.Children.TryGetValue(key, out var value) && value is YamlMappingNode map ? map : throw new Xunit.Sdk.XunitException($"no mapping '{key}' at line {node.Start.Line}");

    private static YamlMappingNode Map(YamlMappingNode node, string key, int index) => (YamlMappingNode)((YamlSequenceNode)node.Children[key]).Children[index];

    private static List<string> Seq(YamlMappingNode node, string key) =>
        node.Children.TryGetValue(key, out var value) && value is YamlSequenceNode seq ? [.. seq.Children.Select(c => ((YamlScalarNode)c).Value!)] : throw new Xunit.Sdk.XunitException($"no list '{key}' at line {node.Start.Line}");

    private static string? Text(YamlMappingNode node, string key) => node.Children.TryGetValue(key, out var value) && value is YamlScalarNode s ? s.Value : null;

    private static List<YamlMappingNode> Load(string path)
    {
        var stream = new YamlStream();
        using var reader = new StreamReader(Path.Combine(Root, path));
        stream.Load(reader);
        return [.. stream.Documents.Select(d => (YamlMappingNode)d.RootNode)];
    }

    private static string FindRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (!File.Exists(Path.Combine(dir.FullName, "Sim.sln")))
        {
            dir = dir.Parent ?? throw new InvalidOperationException("the repository root (Sim.sln) is not above the test assembly");
        }

        return dir.FullName;
    }
}
