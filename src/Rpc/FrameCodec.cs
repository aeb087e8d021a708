using Google.Protobuf;
using Grpc.Core;
using Sim.Stack.Rpc.Wire;

namespace Sim.Stack.Rpc;

/// <summary>Turns frames and metadata into bytes and back, with protobuf.</summary>
internal static class FrameCodec
{
    public static byte[] Encode(Frame frame) => frame.ToByteArray();

    public static Frame Decode(ReadOnlyMemory<byte> bytes) => Frame.Parser.ParseFrom(bytes.Span);

    public static void CopyHeaders(Metadata? from, Frame to)
    {
        if (from is null)
        {
            return;
        }

        foreach (var entry in from)
        {
            to.Headers.Add(entry.IsBinary
                ? new Header { Key = entry.Key, IsBinary = true, BinaryValue = ByteString.CopyFrom(entry.ValueBytes) }
                : new Header { Key = entry.Key, Value = entry.Value });
        }
    }

    public static Metadata ToMetadata(Frame frame)
    {
        var metadata = new Metadata();
        foreach (var header in frame.Headers)
        {
            if (header.IsBinary)
            {
                metadata.Add(header.Key, header.BinaryValue.ToByteArray());
            }
            else
            {
                metadata.Add(header.Key, header.Value);
            }
        }

        return metadata;
    }
}
