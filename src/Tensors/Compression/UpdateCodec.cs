using System.Buffers.Binary;
using System.Runtime.InteropServices;

namespace ActorTrain.Tensors.Compression;

/// <summary>
/// Encodes a (transformed) update into its compact transport form and decodes it back to dense float32. Layouts,
/// little-endian (docs/wire-format.md, "Compressed updates"):
/// Half: n × binary16. Sparse / SparseHalf: k (int32), k int32 indices ascending, k float32 / binary16 values.
/// Sign: per tensor (the <c>segments</c>, in order) a float32 scale, then ⌈n/8⌉ bytes of sign bits, LSB first,
/// 1 = negative. Decoding checks every count, index and length and throws <see cref="InvalidDataException"/>.
/// </summary>
public static class UpdateCodec
{
    /// <summary>Encodes <paramref name="values"/>. Sparse keeps the non-zero entries (a dropped entry decodes to 0 either
    /// way); Half rounds each value to binary16; Sign requires every tensor's entries to be ±(one scale).</summary>
    /// <param name="segments">Element count of each tensor, in order (Sign only; they must sum to the length).</param>
    public static CompressedUpdate Encode(ReadOnlySpan<float> values, UpdateEncoding encoding, IReadOnlyList<int>? segments = null) => encoding switch
    {
        UpdateEncoding.Dense => new(encoding, values.Length, MemoryMarshal.AsBytes(values).ToArray()),
        UpdateEncoding.Half => new(encoding, values.Length, EncodeHalf(values)),
        UpdateEncoding.Sparse or UpdateEncoding.SparseHalf => new(encoding, values.Length, EncodeSparse(values, encoding == UpdateEncoding.SparseHalf)),
        UpdateEncoding.Sign => new(encoding, values.Length, EncodeSign(values, segments ?? [values.Length])),
        _ => throw new ArgumentException($"Unknown update encoding {(byte)encoding}."),
    };

    /// <summary>The dense float32 update the payload stands for.</summary>
    public static float[] Decode(CompressedUpdate update, IReadOnlyList<int>? segments = null)
    {
        if (update.Length < 0) throw new InvalidDataException($"negative update length {update.Length}");
        var payload = update.Payload;
        var n = update.Length;
        switch (update.Encoding)
        {
            case UpdateEncoding.Dense:
                Expect(payload.Length == 4L * n, $"dense payload of {payload.Length} bytes for {n} elements");
                return MemoryMarshal.Cast<byte, float>(payload).ToArray();
            case UpdateEncoding.Half:
            {
                Expect(payload.Length == 2L * n, $"half payload of {payload.Length} bytes for {n} elements");
                var halves = MemoryMarshal.Cast<byte, Half>(payload);
                var values = new float[n];
                for (var i = 0; i < n; i++) values[i] = (float)halves[i];
                return values;
            }
            case UpdateEncoding.Sparse or UpdateEncoding.SparseHalf:
                return DecodeSparse(payload, n, update.Encoding == UpdateEncoding.SparseHalf);
            case UpdateEncoding.Sign:
                return DecodeSign(payload, n, segments ?? [n]);
            default:
                throw new InvalidDataException($"unknown update encoding {(byte)update.Encoding}");
        }
    }

    private static byte[] EncodeHalf(ReadOnlySpan<float> values)
    {
        var bytes = new byte[2 * values.Length];
        var halves = MemoryMarshal.Cast<byte, Half>(bytes.AsSpan());
        for (var i = 0; i < values.Length; i++) halves[i] = (Half)values[i];
        return bytes;
    }

    private static byte[] EncodeSparse(ReadOnlySpan<float> values, bool half)
    {
        var k = 0;
        foreach (var v in values) if (v != 0) k++;
        var valueSize = half ? 2 : 4;
        var bytes = new byte[4 + k * (4 + valueSize)];
        BinaryPrimitives.WriteInt32LittleEndian(bytes, k);
        var indices = MemoryMarshal.Cast<byte, int>(bytes.AsSpan(4, 4 * k));
        var kept = bytes.AsSpan(4 + 4 * k);
        var j = 0;
        for (var i = 0; i < values.Length; i++)
        {
            if (values[i] == 0) continue;
            indices[j] = i;
            if (half) MemoryMarshal.Cast<byte, Half>(kept)[j] = (Half)values[i];
            else MemoryMarshal.Cast<byte, float>(kept)[j] = values[i];
            j++;
        }
        return bytes;
    }

    private static float[] DecodeSparse(byte[] payload, int n, bool half)
    {
        Expect(payload.Length >= 4, "sparse payload shorter than its count");
        var k = BinaryPrimitives.ReadInt32LittleEndian(payload);
        var valueSize = half ? 2 : 4;
        Expect(k >= 0 && k <= n && payload.Length == 4 + (long)k * (4 + valueSize), $"sparse payload of {payload.Length} bytes claims {k} of {n} entries");
        var indices = MemoryMarshal.Cast<byte, int>(payload.AsSpan(4, 4 * k));
        var kept = payload.AsSpan(4 + 4 * k);
        var values = new float[n];
        var previous = -1;
        for (var j = 0; j < k; j++)
        {
            var i = indices[j];
            Expect(i > previous && i < n, $"sparse index {i} at position {j} is out of order or outside 0..{n - 1}");
            values[i] = half ? (float)MemoryMarshal.Cast<byte, Half>(kept)[j] : MemoryMarshal.Cast<byte, float>(kept)[j];
            previous = i;
        }
        return values;
    }

    private static long SignBytes(IReadOnlyList<int> segments) => segments.Sum(s => 4L + (s + 7) / 8);

    private static byte[] EncodeSign(ReadOnlySpan<float> values, IReadOnlyList<int> segments)
    {
        if (segments.Sum(s => (long)s) != values.Length) throw new ArgumentException($"Sign encoding: the tensors hold {segments.Sum(s => (long)s)} elements, the update {values.Length}.");
        var bytes = new byte[SignBytes(segments)];
        var (at, start) = (0, 0);
        foreach (var length in segments)
        {
            var segment = values.Slice(start, length);
            var scale = length == 0 ? 0f : Math.Abs(segment[0]);
            BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(at), scale);
            at += 4;
            for (var i = 0; i < length; i++)
            {
                if (Math.Abs(segment[i]) != scale) throw new ArgumentException($"Sign encoding: element {start + i} is {segment[i]}, not ±{scale}; apply the sign compressor first.");
                if (segment[i] < 0 || float.IsNegative(segment[i])) bytes[at + i / 8] |= (byte)(1 << (i % 8));
            }
            at += (length + 7) / 8;
            start += length;
        }
        return bytes;
    }

    private static float[] DecodeSign(byte[] payload, int n, IReadOnlyList<int> segments)
    {
        Expect(segments.Sum(s => (long)s) == n, $"sign payload for {n} elements but the tensors hold {segments.Sum(s => (long)s)}");
        Expect(payload.Length == SignBytes(segments), $"sign payload of {payload.Length} bytes, expected {SignBytes(segments)}");
        var values = new float[n];
        var (at, start) = (0, 0);
        foreach (var length in segments)
        {
            var scale = BinaryPrimitives.ReadSingleLittleEndian(payload.AsSpan(at));
            Expect(float.IsFinite(scale) && scale >= 0, $"sign scale {scale} is not a finite non-negative number");
            at += 4;
            for (var i = 0; i < length; i++) values[start + i] = (payload[at + i / 8] >> (i % 8) & 1) == 1 ? -scale : scale;
            at += (length + 7) / 8;
            start += length;
        }
        return values;
    }

    private static void Expect(bool condition, string problem)
    {
        if (!condition) throw new InvalidDataException(problem);
    }
}
