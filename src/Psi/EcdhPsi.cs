using System.Text;
using Google.Protobuf;
using Sim.Stack.Cluster;
using Sim.Stack.Host;
using Sim.Stack.Psi.Contracts;

namespace Sim.Stack.Psi;

/// <summary>
/// One side of ECDH-PSI (SPU's ecdh_psi): after both sides agree on version, curve, receivers and batch size, each
/// hashes its items to points and raises them to its secret scalar, sends them in batches (an empty batch ends the
/// stream), raises the peer's points to its own scalar (sending them back when the peer receives the result), and a
/// receiver keeps its items whose double-masked value the peer's double-masked set contains. A final <c>fin</c>
/// exchange makes neither side finish before the other got everything.
/// </summary>
public sealed class EcdhPsi(IHost host, PsiTask task, LinkEndpoint inbox, LinkClient peer, LinkOptions link, CancellationToken stopped)
{
    /// <summary>The intersection when this party receives the result; null otherwise.</summary>
    public async Task<IReadOnlyList<string>?> RunAsync(IReadOnlyList<string> items)
    {
        var protocol = new PsiProtocol(task.Version, task.Curve, task.Receivers, task.BatchSize);
        await HandshakeAsync(protocol);
        var curve = EcdhCurve.Named(task.Curve);
        var scalar = curve.NewScalar(host.Random);
        var mine = items.Select(i => curve.Mask(scalar, curve.HashToPoint(Encoding.UTF8.GetBytes(i)))).ToList();
        await SendStreamAsync("masked", mine);

        var iReceive = protocol.Receives(task.Party);
        var peerReceives = protocol.Receives(task.Peer);
        var peerDouble = new HashSet<ByteString>();
        var doubled = new List<byte[]>();
        foreach (var batch in await ReceiveStreamAsync("masked", null))
        {
            var masked = batch.Select(p => Mask(curve, scalar, p)).ToList();
            if (iReceive)
            {
                peerDouble.UnionWith(masked.Select(ByteString.CopyFrom));
            }

            doubled.AddRange(masked);
        }

        if (peerReceives)
        {
            await SendStreamAsync("dual", doubled);
        }

        IReadOnlyList<string>? intersection = null;
        if (iReceive)
        {
            var dual = (await ReceiveStreamAsync("dual", mine.Count)).SelectMany(b => b).ToList();
            intersection = [.. items.Where((_, k) => peerDouble.Contains(dual[k]))];
        }

        try
        {
            await peer.PushAsync(task.Session, task.Attempt, "fin", new PushAck(), stopped, inbox.Interruption);
        }
        catch (ActorFailure e) when (e.ErrorKind == PsiErrors.Unreachable && inbox.Holds("fin"))
        {
            // Our fin reached the peer but its answer did not: the peer, done, closed its link. Its fin is here.
        }

        await inbox.ReceiveAsync("fin", link.ReceiveTimeout, stopped);
        return intersection;
    }

    private async Task HandshakeAsync(PsiProtocol protocol)
    {
        var hello = new Hello { Party = task.Party, Version = protocol.Version, Curve = protocol.Curve, Receivers = protocol.Receivers, BatchSize = protocol.BatchSize };
        await peer.PushAsync(task.Session, task.Attempt, "hello", hello, stopped, inbox.Interruption);
        var theirs = Hello.Parser.ParseFrom(await inbox.ReceiveAsync("hello", link.ReceiveTimeout, stopped));
        var differences = new List<string>();
        Compare(differences, "protocol version", hello.Version, theirs.Version);
        Compare(differences, "curve", hello.Curve, theirs.Curve);
        Compare(differences, "result receiver", hello.Receivers, theirs.Receivers);
        Compare(differences, "batch size", hello.BatchSize.ToString(System.Globalization.CultureInfo.InvariantCulture), theirs.BatchSize.ToString(System.Globalization.CultureInfo.InvariantCulture));
        if (differences.Count > 0)
        {
            throw new ActorFailure(PsiErrors.Mismatch, $"PSI handshake with {task.Peer} failed: {string.Join("; ", differences)}");
        }

        host.Log.Event(new PsiHandshake(task.Party, task.Attempt, protocol.Version, protocol.Curve, protocol.Receivers, protocol.BatchSize));

        void Compare(List<string> into, string what, string ours, string peers)
        {
            if (ours != peers)
            {
                into.Add($"{what}: {task.Party} uses {ours}, {task.Peer} uses {peers}");
            }
        }
    }

    /// <summary>Sends <paramref name="points"/> as batches <c>stream/0</c>, <c>stream/1</c>, … and an empty batch after the last.</summary>
    private async Task SendStreamAsync(string stream, IReadOnlyList<byte[]> points)
    {
        var index = 0;
        foreach (var chunk in points.Chunk(task.BatchSize).Append([]))
        {
            var batch = new PointBatch { Index = index };
            batch.Points.AddRange(chunk.Select(ByteString.CopyFrom));
            await peer.PushAsync(task.Session, task.Attempt, $"{stream}/{index}", batch, stopped, inbox.Interruption);
            host.Log.Event(new PsiBatchSent(task.Party, task.Attempt, $"{stream}/{index}", chunk.Length));
            index++;
        }
    }

    /// <summary>The peer's batches of <paramref name="stream"/> up to its empty one; <paramref name="expected"/> points in all, when known.</summary>
    private async Task<List<IReadOnlyList<ByteString>>> ReceiveStreamAsync(string stream, int? expected)
    {
        var batches = new List<IReadOnlyList<ByteString>>();
        var total = 0;
        for (var index = 0; ; index++)
        {
            var batch = PointBatch.Parser.ParseFrom(await inbox.ReceiveAsync($"{stream}/{index}", link.ReceiveTimeout, stopped));
            if (batch.Index != index || batch.Points.Count > task.BatchSize)
            {
                throw new ActorFailure(PsiErrors.Protocol, $"{task.Peer}'s {stream}/{index} is batch {batch.Index} of {batch.Points.Count} point(s) (batch size {task.BatchSize})");
            }

            if (batch.Points.Count == 0)
            {
                break;
            }

            total += batch.Points.Count;
            batches.Add(batch.Points);
        }

        return expected is { } count && count != total
            ? throw new ActorFailure(PsiErrors.Protocol, $"{task.Peer} sent {total} double-masked point(s) for {count} item(s)")
            : batches;
    }

    private byte[] Mask(EcdhCurve curve, byte[] scalar, ByteString point)
    {
        try
        {
            return curve.Mask(scalar, point.ToByteArray());
        }
        catch (ArgumentException e)
        {
            throw new ActorFailure(PsiErrors.Protocol, $"{task.Peer} sent a point that is not on {curve.Name}: {e.Message}");
        }
    }
}
