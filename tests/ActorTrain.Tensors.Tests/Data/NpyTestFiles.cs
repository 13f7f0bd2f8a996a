using System.Buffers.Binary;
using System.Text;

namespace ActorTrain.Tensors.Tests.Data;

/// <summary>Builds <c>.npy</c> files byte by byte (independently of <c>NpyWriter</c>) in a temporary directory.</summary>
internal sealed class NpyTestFiles : IDisposable
{
    public string Directory { get; } = System.IO.Directory.CreateTempSubdirectory("actortrain-npy-").FullName;

    /// <summary>Magic, version <paramref name="major"/>.0, header length, the header padded with spaces and a newline, then <paramref name="data"/>.</summary>
    public static byte[] Npy(string header, byte[] data, byte major = 1)
    {
        var text = header + new string(' ', 7) + "\n";
        var lengthSize = major == 1 ? 2 : 4;
        var bytes = new List<byte> { 0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y', major, 0 };
        var length = new byte[lengthSize];
        if (major == 1) BinaryPrimitives.WriteUInt16LittleEndian(length, (ushort)text.Length);
        else BinaryPrimitives.WriteUInt32LittleEndian(length, (uint)text.Length);
        bytes.AddRange(length);
        bytes.AddRange(Encoding.Latin1.GetBytes(text));
        bytes.AddRange(data);
        return bytes.ToArray();
    }

    public static byte[] Float32(bool bigEndian, params float[] values)
    {
        var bytes = new byte[4 * values.Length];
        for (var i = 0; i < values.Length; i++)
        {
            if (bigEndian) BinaryPrimitives.WriteSingleBigEndian(bytes.AsSpan(4 * i), values[i]);
            else BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(4 * i), values[i]);
        }
        return bytes;
    }

    public static byte[] Float64(params double[] values)
    {
        var bytes = new byte[8 * values.Length];
        for (var i = 0; i < values.Length; i++) BinaryPrimitives.WriteDoubleLittleEndian(bytes.AsSpan(8 * i), values[i]);
        return bytes;
    }

    public string Write(string name, byte[] content)
    {
        var path = Path.Combine(Directory, name);
        File.WriteAllBytes(path, content);
        return path;
    }

    public void Dispose() => System.IO.Directory.Delete(Directory, recursive: true);
}
