#pragma warning disable RS0030 // The floor of the PSI benchmark runs on the real thread pool, and its timings are wall time, on purpose.
using System.Diagnostics;
using System.Globalization;
using Org.BouncyCastle.Crypto.EC;
using Org.BouncyCastle.Math.EC.Rfc7748;
using Sim.Engine;
using Sim.Scenarios;
using Sim.Scenarios.Psi;
using Sim.Stack.Defects;
using Sim.Stack.Host;
using Sim.Stack.Psi;
using Sim.Worlds;

namespace Sim.Bench;

/// <summary>
/// `sim bench --engine psi`: ECDH-PSI items per wall second (both parties' items, X25519, batches of 256) between two
/// processes in the loop engine, against the same PSI code (link, protocol, curve) on the thread pool with no simulation
/// (<see cref="DirectHost"/>), and raw BouncyCastle scalar multiplications per second as the floor (ECDH-PSI costs two per
/// item: mask one's own, double-mask the peer's). One run each.
/// </summary>
public static class PsiBenchmark
{
    public const int Items = 1000;

    public static IEnumerable<Figure> Run(Action<string> progress)
    {
        var protocol = PsiProtocol.Default with { BatchSize = 256 };
        var (alice, bob) = Sets(Items);
        Loop(protocol, Sets(50));
        progress($"loop engine: ECDH-PSI of {Items} items against {Items} (X25519), one run");
        var loop = Loop(protocol, (alice, bob));
        progress("thread-pool floor: the same PSI code, no simulation, one run");
        Direct(protocol, Sets(50));
        var direct = Direct(protocol, (alice, bob));
        progress("raw BouncyCastle scalar multiplications, one second per curve");
        var x25519 = Rate(X25519Multiply());
        var secp = Rate(Secp256k1Multiply());
        var items = 2.0 * Items;
        yield return new Figure("psi.loop_items_per_second", Math.Round(items / loop.TotalSeconds), "items/s", $"both parties' items through ECDH-PSI in one loop-engine run ({loop.TotalSeconds:F2} s wall)");
        yield return new Figure("psi.direct_items_per_second", Math.Round(items / direct.TotalSeconds), "items/s", $"the same link and PSI code on the real thread pool, in-memory network, no simulation ({direct.TotalSeconds:F2} s wall)");
        yield return new Figure("psi.loop_vs_direct_ratio", Math.Round(direct.TotalSeconds / loop.TotalSeconds, 3), "ratio", "loop items/s divided by direct items/s (1.0 = as fast as no simulation)");
        yield return new Figure("psi.x25519_mults_per_second", Math.Round(x25519), "mult/s", "BouncyCastle X25519.ScalarMult on this machine: the floor (two per item: at most this / 2 items/s)");
        yield return new Figure("psi.secp256k1_mults_per_second", Math.Round(secp), "mult/s", "BouncyCastle secp256k1 point multiplication (GLV), normalized and encoded compressed");
        yield return new Figure("psi.curve_share_of_direct", Math.Round(2 * items / x25519 / direct.TotalSeconds, 3), "share", "curve arithmetic at the raw one-core rate over the direct run's wall time (both parties compute at once: up to 2 on two cores; near 1 or above: the arithmetic dominates)");
    }

    private static (string[] Alice, string[] Bob) Sets(int count) =>
        ([.. Enumerable.Range(0, count).Select(i => (13_000_000_000L + (i * 7L)).ToString(CultureInfo.InvariantCulture))],
         [.. Enumerable.Range(0, count).Select(i => (13_000_000_000L + (i * 5L)).ToString(CultureInfo.InvariantCulture))]);

    private static TimeSpan Loop(PsiProtocol protocol, (string[] Alice, string[] Bob) sets)
    {
        (PsiPair? Alice, PsiPair? Bob) sides = default;
        var started = Stopwatch.GetTimestamp();
        var result = Simulation.Run(new InlineScenario("psi-pair", context =>
        {
            context.Horizon = TimeSpan.FromSeconds(30);
            sides = PsiPair.Place(context, protocol, protocol, sets.Alice, sets.Bob);
        }), new RunConfig("psi-pair", 1, "random", DefectSet.None, KeepEventLog: false, Buggify: false));
        var wall = Stopwatch.GetElapsedTime(started);
        return result.IsBug || sides.Alice?.Result is null || sides.Bob?.Result is null
            ? throw new InvalidOperationException($"the loop PSI run did not complete: {result.Violation?.ToString() ?? sides.Alice?.Error?.Message ?? sides.Bob?.Error?.Message}")
            : wall;
    }

    private static TimeSpan Direct(PsiProtocol protocol, (string[] Alice, string[] Bob) sets)
    {
        var authority = new CertificateAuthority("bench-ca", new Rng(1));
        var trust = authority.Trust();
        Certificate Issue(string name) => authority.Issue(name, [name], DateTime.UtcNow.AddMinutes(-5), DateTime.UtcNow.AddDays(1));
        var network = new DirectNetwork(new Dictionary<string, string>(StringComparer.Ordinal) { ["alice"] = "alice", ["bob"] = "bob" });
        using var stop = new CancellationTokenSource();
        var a = new DirectHost("alice", network, stop.Token) { RealTimers = true };
        var b = new DirectHost("bob", network, stop.Token) { RealTimers = true };
        var (alice, bob) = (new PsiPair(), new PsiPair());
        var started = Stopwatch.GetTimestamp();
        var done = new[] { Start(a, () => alice.RunAsync(a, "alice", null, "alice", "bob", "bob", new TlsClientOptions("bob", trust, Issue("alice")), protocol, sets.Alice)), Start(b, () => bob.RunAsync(b, "bob", null, "bob", "alice", "alice", new TlsClientOptions("alice", trust, Issue("bob")), protocol, sets.Bob)) };
        if (!Task.WaitAll(done, TimeSpan.FromSeconds(120)) || alice.Result is null || bob.Result is null)
        {
            throw new InvalidOperationException($"the direct PSI run did not complete: {alice.Error?.Message ?? bob.Error?.Message ?? "timed out"}");
        }

        var wall = Stopwatch.GetElapsedTime(started);
        stop.Cancel();
        return wall;
    }

    private static Task Start(DirectHost host, Func<Task> run)
    {
        var done = new TaskCompletionSource();
        host.Post(() => _ = Forward(run(), done));
        return done.Task;
    }

    private static async Task Forward(Task task, TaskCompletionSource done)
    {
        await task;
        done.SetResult();
    }

    private static double Rate(Action multiply)
    {
        for (var i = 0; i < 50; i++)
        {
            multiply();
        }

        var count = 0;
        var started = Stopwatch.GetTimestamp();
        while (Stopwatch.GetElapsedTime(started) < TimeSpan.FromSeconds(1))
        {
            multiply();
            count++;
        }

        return count / Stopwatch.GetElapsedTime(started).TotalSeconds;
    }

    private static Action X25519Multiply()
    {
        var (k, u, r) = (new byte[32], new byte[32], new byte[32]);
        (k[0], u[0]) = (9, 9);
        return () => X25519.ScalarMult(k, 0, u, 0, r, 0);
    }

    private static Action Secp256k1Multiply()
    {
        var curve = CustomNamedCurves.GetByName("secp256k1");
        var k = new Org.BouncyCastle.Math.BigInteger("1234567890123456789012345678901234567890");
        var point = curve.G.Multiply(k).Normalize();
        return () => point.Multiply(k).Normalize().GetEncoded(true);
    }
}
