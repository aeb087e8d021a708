using System.Security.Cryptography;
using Org.BouncyCastle.Crypto.EC;
using Sim.Stack.Cluster;
using Sim.Stack.Psi;
using Sim.Worlds;

namespace Sim.Oracles;

/// <summary>
/// The rules of the PSI stack that psi-multinode's runs cannot reach on their own, checked against their specification
/// directly: Ray's placement rule (CPU slots, liveness, machines to avoid), the secp256k1 hash-to-curve both parties must
/// agree on (try-and-increment from counter 0, compressed points: another implementation of the same party would get other
/// points and an empty intersection), secret scalars drawn from the process's stream, and upstream's link knobs scaled
/// with their ratios kept. Every party in a run has 2 CPU slots per machine and one PSI actor asking for 1, so a node
/// with fewer free slots than asked, or exactly as many, never occurs there.
/// </summary>
public sealed class PsiClusterRuleTests
{
    [Fact]
    [Trait("Category", InvariantOracleTests.Category)]
    public void TheHeadPlacesOnlyOnALiveNodeWithEnoughFreeSlots()
    {
        var dead = new NodeEntry("node1", "m-dead", "10.0.0.1", 7000, 4, TimeSpan.Zero) { Alive = false };
        var busy = new NodeEntry("node2", "m-busy", "10.0.0.2", 7000, 2, TimeSpan.Zero) { Used = 1 };
        var idle = new NodeEntry("node3", "m-idle", "10.0.0.3", 7000, 2, TimeSpan.Zero);
        NodeEntry[] nodes = [dead, busy, idle];

        Assert.Equal(1, busy.Free);
        Assert.Equal(["node3"], Choices(nodes, cpus: 2, avoid: []));
        Assert.Equal(["node2", "node3"], Choices(nodes, cpus: 1, avoid: []));
        Assert.Null(Scheduler.Choose(nodes, 3, [], _ => 0));

        // A retry avoids the machines earlier attempts failed on while another has the slots, and falls back to them when none has.
        Assert.Equal(["node2"], Choices(nodes, cpus: 1, avoid: ["m-idle"]));
        Assert.Equal(["node3"], Choices(nodes, cpus: 2, avoid: ["m-idle"]));
    }

    [Fact]
    [Trait("Category", InvariantOracleTests.Category)]
    public void Secp256k1HashesAnItemToTheFirstCurvePointOfTryAndIncrement()
    {
        var curve = CustomNamedCurves.GetByName("secp256k1").Curve;
        var psi = new Secp256k1Curve();
        var retried = 0;
        for (var i = 0; i < 40; i++)
        {
            var item = System.Text.Encoding.ASCII.GetBytes($"1380013{i:D4}");
            var (expected, counter) = FirstPoint(curve, item);
            retried += counter > 0 ? 1 : 0;

            var point = psi.HashToPoint(item);

            Assert.Equal(expected, point);
            Assert.Equal(33, point.Length);
        }

        Assert.True(retried > 0, "no item of the sample needed a second try: the sample does not test try-and-increment");
    }

    [Fact]
    [Trait("Category", InvariantOracleTests.Category)]
    public void MaskingCommutesAndEncodesCompressedPoints()
    {
        foreach (var curve in Curves)
        {
            var a = curve.NewScalar(Rng.Stream(7, "alice"));
            var b = curve.NewScalar(Rng.Stream(7, "bob"));
            var point = curve.HashToPoint("13800138000"u8);

            var ab = curve.Mask(b, curve.Mask(a, point));

            Assert.Equal(ab, curve.Mask(a, curve.Mask(b, point)));
            Assert.Equal(point.Length, ab.Length);
            Assert.NotEqual(point, curve.Mask(a, point));
        }
    }

    [Fact]
    [Trait("Category", InvariantOracleTests.Category)]
    public void ASecretScalarComesFromTheProcessStream()
    {
        foreach (var curve in Curves)
        {
            var random = Rng.Stream(11, "alice");
            var first = curve.NewScalar(random);
            var second = curve.NewScalar(random);

            Assert.NotEqual(first, second);
            Assert.Equal(first, curve.NewScalar(Rng.Stream(11, "alice")));
            Assert.Contains(first, b => b != 0);

            // Two parties with different secrets mask the same item differently (else each could unmask the other's set).
            var point = curve.HashToPoint("13800138000"u8);
            Assert.NotEqual(curve.Mask(first, point), curve.Mask(second, point));
        }
    }

    [Fact]
    [Trait("Category", InvariantOracleTests.Category)]
    public void ScaledLinkKnobsKeepUpstreamsRatios()
    {
        var upstream = LinkOptions.Upstream;
        var scaled = upstream.Scaled(20);

        Assert.Equal((10, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(120), TimeSpan.FromSeconds(5)),
            (upstream.ConnectRetryTimes, upstream.ConnectRetryInterval, upstream.ReceiveTimeout, upstream.PushTimeout));
        Assert.Equal((10, TimeSpan.FromMilliseconds(50), TimeSpan.FromSeconds(6), TimeSpan.FromMilliseconds(250)),
            (scaled.ConnectRetryTimes, scaled.ConnectRetryInterval, scaled.ReceiveTimeout, scaled.PushTimeout));

        // Ten tries, each a push deadline and a pause: the time after which a peer counts as unreachable.
        Assert.Equal(TimeSpan.FromSeconds(60), upstream.RetryWindow);
        Assert.Equal(TimeSpan.FromSeconds(3), scaled.RetryWindow);
    }

    /// <summary>Both curves of upstream's curve option, new each time (a test runs the code it checks).</summary>
    private static EcdhCurve[] Curves => [new Secp256k1Curve(), new X25519Curve()];

    private static string[] Choices(NodeEntry[] nodes, int cpus, string[] avoid) =>
        Enumerable.Range(0, nodes.Length)
            .Select(pick => Scheduler.Choose(nodes, cpus, avoid, count => pick % count)?.NodeId ?? "none")
            .Distinct().Order(StringComparer.Ordinal).ToArray();

    private static (byte[] Point, int Counter) FirstPoint(Org.BouncyCastle.Math.EC.ECCurve curve, byte[] item)
    {
        for (var counter = 0; ; counter++)
        {
            var x = SHA256.HashData([(byte)counter, .. item]);
            try
            {
                return (curve.DecodePoint([0x02, .. x]).GetEncoded(true), counter);
            }
            catch (ArgumentException)
            {
                // Not the x-coordinate of a curve point: the next counter.
            }
        }
    }
}
