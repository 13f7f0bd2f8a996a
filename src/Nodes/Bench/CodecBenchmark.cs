using ActorTrain.Tensors.Wire;

namespace ActorTrain.Nodes.Bench;

/// <summary>One payload size of the codec suite.</summary>
/// <param name="EncodeGbps">Tensor bytes → wire bytes (header, copy, CRC-32C).</param>
/// <param name="DecodeGbps">Wire bytes → tensor bytes (validate, copy, verify CRC-32C).</param>
/// <param name="MemcpyGbps">A plain copy of the same bytes (the baseline).</param>
/// <param name="Ratio">Codec round trip (encode + decode) against two plain copies: 1.0 means the checksums are free.</param>
public sealed record CodecMeasurement(long Bytes, double EncodeGbps, double DecodeGbps, double MemcpyGbps, double Ratio);

/// <summary>
/// Suite `codec`: the tensor payload codec against a plain memory copy of the same bytes, measured in one run.
/// </summary>
public static class CodecBenchmark
{
    public static readonly long[] DefaultSizes = [1L << 20, 8L << 20, 64L << 20];

    public static CodecMeasurement Measure(long bytes, int rounds)
    {
        var header = new TensorHeader(WireDType.Float32, [bytes / 4]);
        var payload = new byte[header.PayloadLength];
        new Random(1).NextBytes(payload);
        var encoded = new byte[TensorCodec.EncodedLength(header)];
        var decoded = new byte[payload.Length];
        var copy = new byte[payload.Length];

        var calls = (int)Math.Clamp((256L << 20) / bytes, 1, 64);
        var seconds = Throughput.MedianSeconds(rounds, calls,
            () => TensorCodec.Encode(header, payload, encoded),
            () => TensorCodec.Decode(encoded, decoded),
            () => payload.AsSpan().CopyTo(copy));
        if (!decoded.AsSpan().SequenceEqual(payload))
            throw new InvalidOperationException("Codec benchmark: the decoded payload differs from the original.");

        var (encode, decode, memcpy) = (seconds[0], seconds[1], seconds[2]);
        return new CodecMeasurement(
            bytes,
            Throughput.GigabytesPerSecond(bytes, encode),
            Throughput.GigabytesPerSecond(bytes, decode),
            Throughput.GigabytesPerSecond(bytes, memcpy),
            2 * memcpy / (encode + decode));
    }
}
