using System.Buffers;
using Grpc.Core;

namespace Sim.Stack.Rpc;

/// <summary>
/// Message (de)serialization through the marshallers' contextual API, the one generated code implements
/// (the legacy byte[] delegates of a contextual marshaller throw).
/// </summary>
internal static class Payload
{
    public static byte[] Serialize<T>(Marshaller<T> marshaller, T message)
    {
        var context = new Serialization();
        marshaller.ContextualSerializer(message, context);
        return context.Result ?? throw new InvalidOperationException("the marshaller did not complete serialization");
    }

    public static T Deserialize<T>(Marshaller<T> marshaller, ReadOnlyMemory<byte> payload) =>
        marshaller.ContextualDeserializer(new Deserialization(payload));

    private sealed class Serialization : SerializationContext
    {
        private ArrayBufferWriter<byte>? writer;

        public byte[]? Result { get; private set; }

        public override void Complete(byte[] payload) => Result = payload;

        public override IBufferWriter<byte> GetBufferWriter() => writer ??= new ArrayBufferWriter<byte>();

        public override void SetPayloadLength(int payloadLength)
        {
        }

        public override void Complete() => Result = writer?.WrittenSpan.ToArray() ?? [];
    }

    private sealed class Deserialization(ReadOnlyMemory<byte> payload) : DeserializationContext
    {
        public override int PayloadLength => payload.Length;

        public override byte[] PayloadAsNewBuffer() => payload.ToArray();

        public override ReadOnlySequence<byte> PayloadAsReadOnlySequence() => new(payload);
    }
}
