using System.Buffers.Binary;
using static TorchSharp.torch;

namespace ActorTrain.Tensors.Wire;

/// <summary>
/// The tensor payload format (all integers little-endian):
/// <code>
///   0  magic "ATT1"         4 bytes
///   4  format version = 1   1 byte
///   5  dtype code           1 byte   (WireDType)
///   6  rank r               2 bytes  (0..32)
///   8  shape                8·r bytes (int64 each, ≥ 0)
///   8+8r payload length     8 bytes  (= elements × dtype size)
///  16+8r raw elements       little-endian, row-major
///   end CRC-32C             4 bytes  over everything before it
/// </code>
/// Encoding and decoding copy the elements once and checksum them in the same pass.
/// </summary>
public static class TensorCodec
{
    public const int MaxRank = 32;
    private const byte FormatVersion = 1;
    private static ReadOnlySpan<byte> Magic => "ATT1"u8;

    /// <value>Bytes of everything but the payload: header and checksum.</value>
    public static int Overhead(int rank) => 16 + 8 * rank + 4;

    public static long EncodedLength(TensorHeader header) => Overhead(header.Shape.Length) + header.PayloadLength;

    /// <summary>Writes header, <paramref name="payload"/> and checksum into <paramref name="destination"/>.</summary>
    /// <returns>Bytes written.</returns>
    public static int Encode(TensorHeader header, ReadOnlySpan<byte> payload, Span<byte> destination)
    {
        EnsureLittleEndianHost();
        var rank = header.Shape.Length;
        if (rank > MaxRank) throw new ArgumentException($"Rank {rank} exceeds the wire limit of {MaxRank}.");
        if (header.Shape.Any(d => d < 0)) throw new ArgumentException($"Shape {header} has a negative dimension.");
        if (payload.Length != header.PayloadLength)
            throw new ArgumentException($"Payload has {payload.Length} bytes; {header} needs {header.PayloadLength}.");
        var total = checked((int)EncodedLength(header));
        if (destination.Length < total) throw new ArgumentException($"Destination holds {destination.Length} bytes; {total} are needed.");

        Magic.CopyTo(destination);
        destination[4] = FormatVersion;
        destination[5] = (byte)header.DType;
        BinaryPrimitives.WriteUInt16LittleEndian(destination[6..], (ushort)rank);
        for (var i = 0; i < rank; i++) BinaryPrimitives.WriteInt64LittleEndian(destination[(8 + 8 * i)..], header.Shape[i]);
        var headerLength = 16 + 8 * rank;
        BinaryPrimitives.WriteInt64LittleEndian(destination[(headerLength - 8)..], payload.Length);

        var state = Crc32C.Update(~0u, destination[..headerLength]);
        state = Crc32C.CopyAndUpdate(state, payload, destination.Slice(headerLength, payload.Length));
        BinaryPrimitives.WriteUInt32LittleEndian(destination[(headerLength + payload.Length)..], ~state);
        return total;
    }

    /// <summary>Encodes a tensor (moved to the CPU and made contiguous if it is not already).</summary>
    public static byte[] Encode(Tensor tensor)
    {
        using var cpu = tensor.device_type == TorchSharp.DeviceType.CPU ? tensor.alias() : tensor.cpu();
        using var contiguous = cpu.contiguous();
        var header = new TensorHeader(WireDTypes.FromTorch(contiguous.dtype), contiguous.shape);
        var encoded = new byte[EncodedLength(header)];
        Encode(header, contiguous.bytes, encoded);
        return encoded;
    }

    /// <summary>Reads and validates the header only (no checksum).</summary>
    public static TensorHeader ReadHeader(ReadOnlySpan<byte> encoded)
    {
        EnsureLittleEndianHost();
        if (encoded.Length < Overhead(0)) throw new TensorCodecException($"{encoded.Length} bytes is shorter than the smallest payload ({Overhead(0)})");
        if (!encoded[..4].SequenceEqual(Magic)) throw new TensorCodecException("bad magic (not an ActorTrain tensor payload)");
        if (encoded[4] != FormatVersion) throw new TensorCodecException($"format version {encoded[4]} is not supported (expected {FormatVersion})");
        if (!WireDTypes.IsDefined(encoded[5])) throw new TensorCodecException($"unknown dtype code {encoded[5]}");
        int rank = BinaryPrimitives.ReadUInt16LittleEndian(encoded[6..]);
        if (rank > MaxRank) throw new TensorCodecException($"rank {rank} exceeds {MaxRank}");
        if (encoded.Length < Overhead(rank)) throw new TensorCodecException($"truncated: {encoded.Length} bytes cannot hold a rank-{rank} header");
        var shape = new long[rank];
        for (var i = 0; i < rank; i++)
        {
            shape[i] = BinaryPrimitives.ReadInt64LittleEndian(encoded[(8 + 8 * i)..]);
            if (shape[i] < 0) throw new TensorCodecException($"dimension {i} is negative ({shape[i]})");
        }
        var header = new TensorHeader((WireDType)encoded[5], shape);
        long expected;
        try
        {
            expected = header.PayloadLength;
        }
        catch (OverflowException)
        {
            throw new TensorCodecException($"shape {header} overflows a 64-bit size");
        }
        var declared = BinaryPrimitives.ReadInt64LittleEndian(encoded[(8 + 8 * rank)..]);
        if (declared != expected) throw new TensorCodecException($"payload length field says {declared} bytes but {header} needs {expected}");
        if (encoded.Length != Overhead(rank) + expected)
            throw new TensorCodecException($"length mismatch: {encoded.Length} bytes received, {Overhead(rank) + expected} expected for {header}");
        return header;
    }

    /// <summary>Validates <paramref name="encoded"/> and copies its elements into <paramref name="payloadDestination"/>.</summary>
    /// <exception cref="TensorCodecException">Malformed, wrong length, or the checksum does not match.</exception>
    public static TensorHeader Decode(ReadOnlySpan<byte> encoded, Span<byte> payloadDestination)
    {
        var header = ReadHeader(encoded);
        var headerLength = 16 + 8 * header.Shape.Length;
        var payloadLength = (int)header.PayloadLength;
        if (payloadDestination.Length != payloadLength)
            throw new ArgumentException($"Destination holds {payloadDestination.Length} bytes; {header} has {payloadLength}.");
        var state = Crc32C.Update(~0u, encoded[..headerLength]);
        state = Crc32C.CopyAndUpdate(state, encoded.Slice(headerLength, payloadLength), payloadDestination);
        var stored = BinaryPrimitives.ReadUInt32LittleEndian(encoded[(headerLength + payloadLength)..]);
        if (~state != stored)
            throw new TensorCodecException($"checksum mismatch (stored 0x{stored:x8}, computed 0x{~state:x8}): the bytes were corrupted");
        return header;
    }

    /// <summary>Decodes into a new CPU tensor.</summary>
    public static Tensor DecodeTensor(ReadOnlySpan<byte> encoded)
    {
        var header = ReadHeader(encoded);
        var result = empty(header.Shape, header.DType.ToTorch());
        try
        {
            Decode(encoded, result.bytes);
            return result;
        }
        catch
        {
            result.Dispose();
            throw;
        }
    }

    private static void EnsureLittleEndianHost()
    {
        if (!BitConverter.IsLittleEndian)
            throw new PlatformNotSupportedException("The tensor wire format is little-endian; big-endian hosts are not supported.");
    }
}
