using System.Buffers.Binary;
using System.IO.Compression;

namespace ActorTrain.Tensors.Tests.Data;

/// <summary>Writes small IDX files (and a fake Fashion-MNIST folder) into a temporary directory.</summary>
internal sealed class IdxTestFiles : IDisposable
{
    public string Directory { get; } = System.IO.Directory.CreateTempSubdirectory("actortrain-idx-").FullName;

    public static byte[] Idx(byte typeCode, int[] dimensions, byte[] elements)
    {
        var bytes = new byte[4 + 4 * dimensions.Length + elements.Length];
        bytes[2] = typeCode;
        bytes[3] = (byte)dimensions.Length;
        for (var i = 0; i < dimensions.Length; i++) BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(4 + 4 * i), dimensions[i]);
        elements.CopyTo(bytes, 4 + 4 * dimensions.Length);
        return bytes;
    }

    public string Write(string name, byte[] content, bool gzip = false)
    {
        var path = Path.Combine(Directory, name);
        if (gzip)
        {
            using var file = File.Create(path);
            using var zip = new GZipStream(file, CompressionLevel.Fastest);
            zip.Write(content);
        }
        else
        {
            File.WriteAllBytes(path, content);
        }
        return path;
    }

    /// <summary>A Fashion-MNIST-shaped folder: <paramref name="train"/> and <paramref name="test"/> images of 28×28.</summary>
    public void WriteFashionMnist(int train, int test)
    {
        foreach (var (prefix, count) in new[] { ("train", train), ("t10k", test) })
        {
            var pixels = Enumerable.Range(0, count * 28 * 28).Select(i => (byte)(i % 256)).ToArray();
            var labels = Enumerable.Range(0, count).Select(i => (byte)(i % 10)).ToArray();
            Write($"{prefix}-images-idx3-ubyte.gz", Idx(0x08, [count, 28, 28], pixels), gzip: true);
            Write($"{prefix}-labels-idx1-ubyte.gz", Idx(0x08, [count], labels), gzip: true);
        }
    }

    public void Dispose() => System.IO.Directory.Delete(Directory, recursive: true);
}
