using System.Diagnostics;
using System.Reflection;
using System.Text.Json;
using System.Xml.Linq;
using Sim.Report.Mutation;
using Sim.Stack.Host;

namespace Sim.Oracles.Mutation;

/// <summary>
/// The mutation-testing setup agrees with the code: Stryker builds apart from the ordinary build, runs only the
/// oracle cases, skips every log call, and every folder of src/ is mutated by some shard of the nightly job.
/// </summary>
public sealed class MutationSetupTests
{
    internal static readonly string Root = FindRoot();
    private static readonly string Here = Path.Combine(Root, "tests", "Sim.Oracles");

    [Fact]
    public void StrykerBuildsInItsOwnConfigurationSoTheOrdinaryBuildNeverHoldsAMutatedStack()
    {
        var config = StrykerConfig();

        var configuration = config.GetProperty("configuration").GetString();
        Assert.NotNull(configuration);
        Assert.DoesNotContain(configuration, new[] { "Debug", "Release" });
        Assert.Equal(1, config.GetProperty("concurrency").GetInt32());
        var stryker = Assert.Single(File.ReadAllLines(Path.Combine(Here, "mutate")), l => l.Contains("dotnet stryker -f", StringComparison.Ordinal) && !l.TrimStart().StartsWith('#'));
        Assert.DoesNotContain("--configuration", stryker, StringComparison.Ordinal);
    }

    [Fact]
    public void StrykerMutatesTheStackWhichTheSuiteReferencesDirectlyAndRunsOnlyTheOracleCases()
    {
        var config = StrykerConfig();
        var references = XDocument.Load(Path.Combine(Here, "Sim.Oracles.csproj")).Descendants("ProjectReference").Select(r => Path.GetFileName(r.Attribute("Include")!.Value));

        Assert.Contains(config.GetProperty("project").GetString(), references);
        Assert.Equal($"Category={InvariantOracleTests.Category}", config.GetProperty("test-case-filter").GetString());
        Assert.Contains("json", config.GetProperty("reporters").EnumerateArray().Select(r => r.GetString()));
        Assert.Contains("html", config.GetProperty("reporters").EnumerateArray().Select(r => r.GetString()));
    }

    [Fact]
    public void ASlowRunOnALoadedMachineIsNotTakenForAHang()
    {
        // Stryker's timeout is the initial test run's time x 1.5 plus this; at its 5 s default, runs of string
        // mutants timed out on the shared machine and were counted as detected.
        Assert.True(StrykerConfig().GetProperty("additional-timeout").GetInt32() >= 30_000);
    }

    [Fact]
    public void EveryLogCallIsLeftUnmutated()
    {
        var ignored = StrykerConfig().GetProperty("ignore-methods").EnumerateArray().Select(m => m.GetString()).ToList();

        Assert.All(typeof(ILog).GetMethods(BindingFlags.Public | BindingFlags.Instance), m => Assert.Contains($"*Log.{m.Name}", ignored));
    }

    [Fact]
    public void EveryFolderOfSrcWithCodeIsInTheNightlyFolderList()
    {
        var code = Directory.EnumerateFiles(Path.Combine(Root, "src"), "*.cs", SearchOption.AllDirectories)
            .Select(f => Path.GetRelativePath(Path.Combine(Root, "src"), f).Replace('\\', '/').Split('/'))
            .Where(p => p.Length > 1 && p[0] is not ("bin" or "obj"))
            .Select(p => p[0])
            .ToHashSet(StringComparer.Ordinal);

        var listed = ListedFolders();

        Assert.Equal(code.Order(StringComparer.Ordinal), listed.Order(StringComparer.Ordinal));
        Assert.Equal(listed.Count, listed.Distinct().Count());
    }

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    [InlineData(4)]
    public void TheShardsTogetherMutateEveryListedFolderOnce(int shards)
    {
        var runs = Enumerable.Range(0, shards).SelectMany(i => Mutate("--shard", $"{i}/{shards}", "--list").Output.Split('\n', StringSplitOptions.RemoveEmptyEntries)).ToList();

        Assert.Equal(ListedFolders().Order(StringComparer.Ordinal), runs.Order(StringComparer.Ordinal));
    }

    [Theory]
    [InlineData("Nowhere", "src/Nowhere is not a folder of src/ with C# code")]
    [InlineData("--shard 4/4", "i must be below n")]
    [InlineData("--concurrency 0 Fleet", "--concurrency needs a positive integer")]
    [InlineData("--shard 0/2 Fleet", "give folders or --shard, not both")]
    public void TheMutateScriptRefusesBadArgumentsByName(string args, string message)
    {
        var (code, _, error) = Mutate([.. args.Split(' '), "--list"]);

        Assert.Equal(2, code);
        Assert.Contains(message, error, StringComparison.Ordinal);
    }

    [Fact]
    public void TheCheckedInEquivalentListLoadsAndNamesFilesThatExist()
    {
        var list = EquivalentMutants.Load(Path.Combine(Root, EquivalentMutants.DefaultPath));

        Assert.All(list.Entries, e => Assert.True(File.Exists(Path.Combine(Root, e.File)), $"{e}: no such file"));
    }

    private static JsonElement StrykerConfig()
    {
        using var document = JsonDocument.Parse(File.ReadAllText(Path.Combine(Here, "stryker-config.json")));
        return document.RootElement.GetProperty("stryker-config").Clone();
    }

    internal static List<string> ListedFolders() =>
        File.ReadAllLines(Path.Combine(Here, "mutation-folders.txt")).Select(l => l.Trim()).Where(l => l.Length > 0 && !l.StartsWith('#')).ToList();

    internal static (int Code, string Output, string Error) Mutate(params string[] args)
    {
        var start = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(Path.Combine(Here, "mutate"));
        args.ToList().ForEach(start.ArgumentList.Add);
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        return (process.ExitCode, output.Result, error);
    }

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Sim.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("Sim.sln not found above " + AppContext.BaseDirectory);
    }
}
