using System.Text.Json;
using System.Text.Json.Nodes;
using Sim.Cli;
using Sim.Shared;
using Sim.Stack.Defects;

namespace Sim.Tests;

/// <summary>Three findings written by `sim explore`: register and client-reconnect under Coyote, register under the loop engine.</summary>
public sealed class ReplayFindings : IDisposable
{
    public ReplayFindings()
    {
        Register = Explore("register", "coyote", "pct", DefectCatalogue.AckBeforeFlush);
        ClientReconnect = Explore("client-reconnect", "coyote", "random", DefectCatalogue.BareCancel);
        Loop = Explore("register", "loop", "random", DefectCatalogue.AckBeforeFlush);
    }

    public DirectoryInfo Dir { get; } = Directory.CreateTempSubdirectory("sim-replay-");

    /// <summary>The register finding under Coyote: its bug report and trace.</summary>
    public (string Report, string Trace) Register { get; }

    public (string Report, string Trace) ClientReconnect { get; }

    /// <summary>The register finding under the loop engine (its report names no trace).</summary>
    public (string Report, string Trace) Loop { get; }

    public void Dispose() => Dir.Delete(recursive: true);

    /// <summary>A copy of a finding's report and trace in a directory of their own, to damage.</summary>
    public (string Report, string Trace) Copy((string Report, string Trace) finding)
    {
        var dir = Dir.CreateSubdirectory($"copy-{Dir.GetDirectories().Length}").FullName;
        var report = Path.Combine(dir, Path.GetFileName(finding.Report));
        File.Copy(finding.Report, report);
        if (finding.Trace.Length > 0)
        {
            File.Copy(finding.Trace, Path.Combine(dir, Path.GetFileName(finding.Trace)));
        }

        return (report, finding.Trace.Length > 0 ? Path.Combine(dir, Path.GetFileName(finding.Trace)) : "");
    }

    private (string Report, string Trace) Explore(string scenario, string engine, string strategy, string defect)
    {
        var dir = Path.Combine(Dir.FullName, $"{scenario}-{engine}");
        var (code, stdout, stderr) = ReplayTests.Sim("explore", scenario, "--engine", engine, "--strategy", strategy, "--defect", defect, "--iterations", "20", "--seed", "1", "--json", "--out", dir);
        Assert.True(code == ExitCodes.Bug, stderr + stdout);
        var json = JsonDocument.Parse(stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries)[^1]).RootElement;
        return (json.GetProperty("report").GetString()!, json.GetProperty("trace").GetString() ?? "");
    }
}

/// <summary>`sim replay`: a reproduced finding exits 1, a diverged one 3, and files that do not belong together are bad input (2).</summary>
[Collection(nameof(CoyoteCollection))]
public sealed class ReplayTests(ReplayFindings findings) : IClassFixture<ReplayFindings>
{
    [Fact]
    public void ATraceOfAnotherScenarioSwappedInIsBadInputNamingTheField()
    {
        var register = findings.Copy(findings.Register);
        File.Copy(findings.ClientReconnect.Trace, register.Trace, overwrite: true);

        var (code, stdout, stderr) = Sim("replay", register.Trace);

        Assert.Equal(ExitCodes.BadInput, code);
        Assert.Equal("", stdout);
        Assert.Equal($"sim: {register.Trace} does not belong to {register.Report}: field 'scenario' is 'register' in the bug report but 'client-reconnect' in the trace", stderr.Trim());
    }

    [Fact]
    public void ABugReportWhoseScenarioWasEditedIsInconsistentNotAFlagError()
    {
        var register = findings.Copy(findings.Register);
        File.WriteAllText(register.Report, File.ReadAllText(register.Report).Replace("\"scenario\": \"register\"", "\"scenario\": \"client-reconnect\"", StringComparison.Ordinal));

        var (code, _, stderr) = Sim("replay", register.Trace);

        Assert.Equal(ExitCodes.BadInput, code);
        Assert.Contains($"{register.Report}: inconsistent bug report: field 'defects' names 'ack-before-flush', a defect of scenario 'register', but field 'scenario' is 'client-reconnect'", stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("--defect", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void ABugReportEditedAfterItWasWrittenIsInconsistent()
    {
        var loop = findings.Copy(findings.Loop);
        var report = JsonNode.Parse(File.ReadAllText(loop.Report))!.AsObject();
        report["seed"] = report["seed"]!.GetValue<ulong>() + 1;
        File.WriteAllText(loop.Report, report.ToJsonString());

        var (code, _, stderr) = Sim("replay", loop.Report);

        Assert.Equal(ExitCodes.BadInput, code);
        Assert.Contains($"{loop.Report}: inconsistent bug report: its fields were changed after it was written", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void ATraceNamedBesideAnotherFindingsReportIsBadInput()
    {
        var loop = findings.Copy(findings.Loop);
        var trace = Path.ChangeExtension(loop.Report, null)[..^".bug".Length] + ".trace";
        File.Copy(findings.Register.Trace, trace);

        var (code, _, stderr) = Sim("replay", trace);

        Assert.Equal(ExitCodes.BadInput, code);
        Assert.Contains($"{loop.Report}: names no trace, so {trace} is not its trace", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void AnotherScenariosBugReportBesideATraceIsBadInput()
    {
        // A register trace whose .bug.json is client-reconnect's, copied under the register finding's name.
        var register = findings.Copy(findings.Register);
        File.Copy(findings.ClientReconnect.Report, register.Report, overwrite: true);

        var (code, _, stderr) = Sim("replay", register.Trace);

        Assert.Equal(ExitCodes.BadInput, code);
        Assert.Equal($"sim: {register.Trace} does not belong to {register.Report}: field 'trace' of the bug report names {Path.GetFileName(findings.ClientReconnect.Trace)}", stderr.Trim());
    }

    [Fact]
    public void AReplayThatDivergesExitsThreeAndOneThatReproducesExitsOne()
    {
        var loop = findings.Copy(findings.Loop);
        var (reproduced, _, _) = Sim("replay", loop.Report);
        var report = BugReport.Read(loop.Report);
        (report with { Hash = "0123456789abcdef" }).Write(loop.Report);

        var (code, stdout, stderr) = Sim("replay", loop.Report, "--json");

        Assert.Equal(ExitCodes.Bug, reproduced);
        Assert.True(code == ExitCodes.Diverged, stderr + stdout);
        var json = JsonDocument.Parse(stdout.Trim()).RootElement;
        Assert.Equal("diverged", json.GetProperty("verdict").GetString());
        Assert.Equal(report.Hash, json.GetProperty("hash").GetString());
    }

    [Fact]
    public void AStampedCoyoteTraceStillReplays()
    {
        Assert.Contains("\"Sim\"", File.ReadAllText(findings.ClientReconnect.Trace), StringComparison.Ordinal);

        var (code, stdout, stderr) = Sim("replay", findings.ClientReconnect.Trace);

        Assert.True(code == ExitCodes.Bug, stderr + stdout);
        Assert.StartsWith("reproduced: ", stdout, StringComparison.Ordinal);
    }

    internal static (int Code, string Stdout, string Stderr) Sim(params string[] args)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var code = Program.Run(args, stdout, stderr);
        return (code, stdout.ToString(), stderr.ToString());
    }
}
