using System.Runtime.InteropServices;
using ActorTrain.Actors.Protocol;
using ActorTrain.Tensors.Wire;

namespace ActorTrain.Actors.Serialization;

/// <summary>Reading and writing the control fields and tensor sets of tensor messages.</summary>
internal static class BinaryFields
{
    /// <summary>Most names a tensor set may declare; far above any model's parameter count.</summary>
    private const int MaxTensors = 1 << 16;

    public static void WriteStrings(BinaryWriter writer, string[] values)
    {
        writer.Write(values.Length);
        foreach (var v in values) writer.Write(v);
    }

    public static string[] ReadStrings(BinaryReader reader)
    {
        var count = reader.ReadInt32();
        if (count is < 0 or > MaxTensors) throw new InvalidDataException($"string array of {count} entries");
        var values = new string[count];
        for (var i = 0; i < count; i++) values[i] = reader.ReadString();
        return values;
    }

    /// <summary>Optional labels: -1 for none, else the count and the values.</summary>
    public static void WriteLabels(BinaryWriter writer, long[]? labels)
    {
        writer.Write(labels?.Length ?? -1);
        foreach (var label in labels ?? []) writer.Write(label);
    }

    public static long[]? ReadLabels(BinaryReader reader)
    {
        var count = reader.ReadInt32();
        if (count == -1) return null;
        if (count is < 0 or > 1 << 24) throw new InvalidDataException($"a label list of {count} entries");
        var labels = new long[count];
        for (var i = 0; i < count; i++) labels[i] = reader.ReadInt64();
        return labels;
    }

    /// <summary>Names and shapes; the values follow separately as one codec payload.</summary>
    public static void WriteTensorSetHeader(BinaryWriter writer, TensorSet set)
    {
        WriteStrings(writer, set.Names);
        if (set.Shapes.Length != set.Names.Length) throw new ArgumentException("A tensor set needs one shape per name.");
        foreach (var shape in set.Shapes)
        {
            writer.Write(shape.Length);
            foreach (var d in shape) writer.Write(d);
        }
    }

    public static (string[] Names, long[][] Shapes) ReadTensorSetHeader(BinaryReader reader)
    {
        var names = ReadStrings(reader);
        var shapes = new long[names.Length][];
        for (var i = 0; i < names.Length; i++)
        {
            var rank = reader.ReadInt32();
            if (rank is < 0 or > TensorCodec.MaxRank) throw new InvalidDataException($"tensor '{names[i]}' has rank {rank}");
            shapes[i] = new long[rank];
            for (var d = 0; d < rank; d++) shapes[i][d] = reader.ReadInt64();
        }
        return (names, shapes);
    }

    /// <summary>prefix ++ codec(values as float32[n]) in one array (new, or of exactly that length from <paramref name="allocate"/>): the values are copied once.</summary>
    public static byte[] Concat(MemoryStream prefix, float[] values, Func<int, byte[]>? allocate = null)
    {
        var header = new TensorHeader(WireDType.Float32, [values.Length]);
        var length = checked((int)(prefix.Length + TensorCodec.EncodedLength(header)));
        var result = allocate?.Invoke(length) ?? new byte[length];
        if (result.Length != length) throw new InvalidOperationException($"The allocator returned {result.Length} bytes for {length}.");
        prefix.GetBuffer().AsSpan(0, (int)prefix.Length).CopyTo(result);
        TensorCodec.Encode(header, MemoryMarshal.AsBytes(values.AsSpan()), result.AsSpan((int)prefix.Length));
        return result;
    }

    /// <summary>prefix ++ codec(bytes as UInt8[n]): a compressed update's payload under one CRC-32C.</summary>
    public static byte[] Concat(MemoryStream prefix, byte[] payload)
    {
        var header = new TensorHeader(WireDType.UInt8, [payload.Length]);
        var result = new byte[prefix.Length + TensorCodec.EncodedLength(header)];
        prefix.GetBuffer().AsSpan(0, (int)prefix.Length).CopyTo(result);
        TensorCodec.Encode(header, payload, result.AsSpan((int)prefix.Length));
        return result;
    }

    /// <summary>The UInt8[n] codec payload from <paramref name="offset"/> to the end (checksum verified).</summary>
    public static byte[] ReadPayload(byte[] bytes, int offset)
    {
        var encoded = bytes.AsSpan(offset);
        var header = TensorCodec.ReadHeader(encoded);
        if (header.DType != WireDType.UInt8 || header.Shape.Length != 1) throw new InvalidDataException($"a compressed payload must be UInt8[n], got {header}");
        var payload = new byte[header.PayloadLength];
        TensorCodec.Decode(encoded, payload);
        return payload;
    }

    /// <summary>A length-prefixed codec payload inside the control fields (for messages with several vectors).</summary>
    public static void WriteValues(BinaryWriter writer, float[] values)
    {
        var header = new TensorHeader(WireDType.Float32, [values.Length]);
        var encoded = new byte[TensorCodec.EncodedLength(header)];
        TensorCodec.Encode(header, MemoryMarshal.AsBytes(values.AsSpan()), encoded);
        writer.Write(encoded.Length);
        writer.Write(encoded);
    }

    public static float[] ReadValues(BinaryReader reader, byte[] bytes)
    {
        var length = reader.ReadInt32();
        var start = (int)reader.BaseStream.Position;
        if (length < 0 || start + length > bytes.Length) throw new InvalidDataException($"a vector claims {length} bytes");
        var values = ReadValues(bytes.AsSpan(start, length));
        reader.BaseStream.Position = start + length;
        return values;
    }

    public static float[] ReadValues(byte[] bytes, int offset) => ReadValues(bytes.AsSpan(offset));

    /// <summary>Raw little-endian elements of <paramref name="type"/> as a length-prefixed codec payload.</summary>
    public static void WriteBytes(BinaryWriter writer, WireDType type, byte[] payload)
    {
        var header = new TensorHeader(type, [payload.Length / type.Size()]);
        var encoded = new byte[TensorCodec.EncodedLength(header)];
        TensorCodec.Encode(header, payload, encoded);
        writer.Write(encoded.Length);
        writer.Write(encoded);
    }

    public static byte[] ReadBytes(BinaryReader reader, byte[] bytes, WireDType expected)
    {
        var length = reader.ReadInt32();
        var start = (int)reader.BaseStream.Position;
        if (length < 0 || start + length > bytes.Length) throw new InvalidDataException($"a payload claims {length} bytes");
        var encoded = bytes.AsSpan(start, length);
        var header = TensorCodec.ReadHeader(encoded);
        if (header.DType != expected || header.Shape.Length != 1) throw new InvalidDataException($"payload is {header}, expected {expected}[n]");
        var payload = new byte[header.PayloadLength];
        TensorCodec.Decode(encoded, payload);
        reader.BaseStream.Position = start + length;
        return payload;
    }

    private static float[] ReadValues(ReadOnlySpan<byte> encoded)
    {
        var header = TensorCodec.ReadHeader(encoded);
        if (header.DType != WireDType.Float32 || header.Shape.Length != 1)
            throw new InvalidDataException($"tensor set values must be Float32[n], got {header}");
        var values = new float[header.Shape[0]];
        TensorCodec.Decode(encoded, MemoryMarshal.AsBytes(values.AsSpan()));
        return values;
    }
}
