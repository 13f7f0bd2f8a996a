using System.Buffers.Binary;
using System.Globalization;
using System.Text;

namespace ActorTrain.Tensors.Data;

/// <summary>
/// Writes a float32 array of any rank as a <c>.npy</c> file (format 1.0, little-endian, C order): e.g. a projection
/// layer's update for <c>actortrain attack rlg --update</c>. NumPy reads it with <c>numpy.load</c>.
/// </summary>
public static class NpyWriter
{
    public static void Write(string path, ReadOnlySpan<float> values, params int[] shape)
    {
        if (shape.Length == 0 || shape.Any(n => n < 1))
            throw new ArgumentException($"A .npy array here has one or more positive dimensions, got ({string.Join(", ", shape)}).");
        if (shape.Aggregate(1L, (product, n) => product * n) != values.Length)
            throw new ArgumentException($"Shape ({string.Join(", ", shape)}) does not hold {values.Length} values.");
        var shapeText = shape.Length == 1
            ? string.Create(CultureInfo.InvariantCulture, $"({shape[0]},)")
            : $"({string.Join(", ", shape.Select(n => n.ToString(CultureInfo.InvariantCulture)))})";
        var header = $"{{'descr': '<f4', 'fortran_order': False, 'shape': {shapeText}, }}";
        // The magic (6), version (2), length (2) and header end on a 64-byte boundary, newline last.
        var padded = header.PadRight((10 + header.Length + 1 + 63) / 64 * 64 - 10 - 1) + "\n";
        using var stream = File.Create(path);
        stream.Write([0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y', 1, 0]);
        Span<byte> length = stackalloc byte[2];
        BinaryPrimitives.WriteUInt16LittleEndian(length, (ushort)padded.Length);
        stream.Write(length);
        stream.Write(Encoding.Latin1.GetBytes(padded));
        var data = new byte[values.Length * 4];
        for (var i = 0; i < values.Length; i++) BinaryPrimitives.WriteSingleLittleEndian(data.AsSpan(4 * i), values[i]);
        stream.Write(data);
    }
}
