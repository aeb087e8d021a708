using Sim.Engine;
using Sim.Scenarios;
using Sim.Scenarios.Register;
using Sim.Stack.Defects;

namespace Sim.Tests;

public sealed class DeterminismTests
{
    private static readonly Scenario Register = new RegisterScenario();

    public static TheoryData<string, bool> StrategiesAndDefect() => new()
    {
        { "random", false },
        { "random", true },
        { "pct", false },
        { "pct", true },
    };

    [Theory]
    [MemberData(nameof(StrategiesAndDefect))]
    public void SameSeedGivesTheSameEventLogHash(string strategy, bool defect)
    {
        for (ulong seed = 1; seed <= 8; seed++)
        {
            var config = Config(seed, strategy, defect);
            var first = Simulation.Run(Register, config);
            var second = Simulation.Run(Register, config);
            Assert.True(first.Hash == second.Hash, $"seed {seed} ({strategy}, defect={defect}): {first.Hash} then {second.Hash}");
            Assert.Equal(first.Steps, second.Steps);
            Assert.Equal(first.Log.Lines, second.Log.Lines);
            Assert.Equal(first.Violation, second.Violation);
        }
    }

    [Theory]
    [InlineData("random")]
    [InlineData("pct")]
    public void DifferentSeedsGiveDifferentRuns(string strategy)
    {
        var runs = Enumerable.Range(1, 6).Select(seed => Simulation.Run(Register, Config((ulong)seed, strategy, defect: false))).ToList();
        Assert.Equal(runs.Count, runs.Select(r => r.Hash).Distinct().Count());

        // Not just the seed echoed in the first line: what happened differs.
        var bodies = runs.Select(r => string.Join('\n', r.Log.Lines.Skip(1).Select(l => l[(l.IndexOf(' ', StringComparison.Ordinal) + 1)..]))).ToList();
        Assert.Equal(runs.Count, bodies.Distinct().Count());
    }

    [Fact]
    public void HashIsTheSameInAFreshProcess()
    {
        // Another process has other string-hash seeds, another heap and other thread ids: none may leak into a run.
        var outDir = Directory.CreateTempSubdirectory("sim-determinism-");
        try
        {
            var sim = typeof(Sim.Cli.Program).Assembly.Location;
            var start = new System.Diagnostics.ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            };
            foreach (var arg in new[] { sim, "run", "register", "--seed", "6", "--defect", "ack-before-flush", "--strategy", "pct", "--json", "--out", outDir.FullName })
            {
                start.ArgumentList.Add(arg);
            }

            using var child = System.Diagnostics.Process.Start(start)!;
            var stdout = child.StandardOutput.ReadToEnd();
            var stderr = child.StandardError.ReadToEnd();
            Assert.True(child.WaitForExit(TimeSpan.FromMinutes(1)), "the child sim did not finish");
            Assert.True(child.ExitCode is 0 or 1, $"exit {child.ExitCode}: {stderr}");

            var last = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)[^1];
            using var json = System.Text.Json.JsonDocument.Parse(last);
            var inProcess = Simulation.Run(Register, Config(6, "pct", defect: true));
            Assert.Equal(inProcess.Hash, json.RootElement.GetProperty("hash").GetString());
            Assert.Equal(inProcess.Log.Lines, File.ReadAllLines(json.RootElement.GetProperty("eventLog").GetString()!));
        }
        finally
        {
            outDir.Delete(recursive: true);
        }
    }

    [Fact]
    public void KeepingTheLogTextDoesNotChangeTheHash()
    {
        var config = Config(5, "random", defect: true);
        var kept = Simulation.Run(Register, config);
        var hashOnly = Simulation.Run(Register, config with { KeepEventLog = false });
        Assert.Equal(kept.Hash, hashOnly.Hash);
        Assert.Empty(hashOnly.Log.Lines);
        Assert.NotEmpty(kept.Log.Lines);
    }

    [Fact]
    public void StrategiesScheduleDifferently()
    {
        var random = Simulation.Run(Register, Config(2, "random", defect: false));
        var pct = Simulation.Run(Register, Config(2, "pct", defect: false));
        Assert.NotEqual(random.Hash, pct.Hash);
    }

    [Fact]
    public void InlineWorldWithEveryFaultFamilyIsDeterministic()
    {
        static RunResult Once(ulong seed) => TestWorld.Run("chaos-echo", ctx =>
        {
            ctx.Horizon = TimeSpan.FromSeconds(20);
            ctx.Faults(Sim.Worlds.FaultProfile.Chaos.With(new Sim.Worlds.KillFault { PerMinute = 20 }, new Sim.Worlds.PartitionFault { PerMinute = 20 }, new Sim.Worlds.ConnectionResetFault { PerMinute = 20 }));
            var m1 = ctx.Machine("m1", "site-a", "10.0.0.1");
            var m2 = ctx.Machine("m2", "site-b", "10.0.0.2");
            ctx.Process("server", m2, async host =>
            {
                using var listener = host.Network.Listen("10.0.0.2", 9000);
                while (true)
                {
                    var conn = await listener.AcceptAsync(host.Lifetime);
                    host.Spawn("echo", async token =>
                    {
                        try
                        {
                            while (await conn.ReceiveAsync(token) is { } frame)
                            {
                                conn.Send(frame);
                            }
                        }
                        catch (Sim.Stack.Host.NetworkException)
                        {
                        }
                    });
                }
            });
            ctx.Process("client", m1, async host =>
            {
                for (var i = 0; ; i++)
                {
                    await host.Clock.Delay(TimeSpan.FromMilliseconds(50 + host.Random.Next(100)));
                    try
                    {
                        using var conn = await host.Network.DialAsync("10.0.0.2", 9000);
                        conn.Send(TestWorld.Frame(i));
                        await conn.ReceiveAsync();
                    }
                    catch (Sim.Stack.Host.NetworkException e)
                    {
                        host.Log.Info("client.error", e.GetType().Name);
                    }
                }
            }, killable: false);
        }, seed);

        for (ulong seed = 1; seed <= 3; seed++)
        {
            var first = Once(seed);
            var second = Once(seed);
            first.AssertClean();
            Assert.True(first.FaultsInjected > 0);
            Assert.Equal(first.Hash, second.Hash);
            Assert.Equal(first.Log.Lines, second.Log.Lines);
        }
    }

    private static RunConfig Config(ulong seed, string strategy, bool defect) =>
        new("register", seed, strategy, defect ? new DefectSet([DefectCatalogue.AckBeforeFlush]) : DefectSet.None);
}
