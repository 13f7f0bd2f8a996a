using System.Buffers.Binary;
using System.IO.Compression;

namespace ActorTrain.Tensors.Data;

/// <summary>
/// Reads IDX files (the MNIST family's format), gzip-compressed or plain. Layout: two zero bytes, a type code,
/// the number of dimensions, each dimension as a big-endian int32, then the elements.
/// Only unsigned bytes (type 0x08) are accepted: it is what Fashion-MNIST and MNIST use.
/// </summary>
public static class IdxReader
{
    private const byte UnsignedByte = 0x08;

    /// <summary>Largest file accepted after decompression, so a corrupt header cannot ask for an absurd buffer.</summary>
    private const long MaxElements = 1L << 31;

    public static IdxArray Read(string path)
    {
        if (Directory.Exists(path))
            throw new IdxFormatException(path, "is a directory, not an IDX file.");
        if (!File.Exists(path))
            throw new FileNotFoundException($"IDX file not found: {path}", path);

        using var file = File.OpenRead(path);
        using var stream = IsGzip(file) ? new GZipStream(file, CompressionMode.Decompress) : (Stream)file;
        try
        {
            return Read(stream, path);
        }
        catch (InvalidDataException e)
        {
            throw new IdxFormatException(path, $"gzip data is corrupt ({e.Message}).");
        }
    }

    private static bool IsGzip(FileStream file)
    {
        Span<byte> magic = stackalloc byte[2];
        var read = file.ReadAtLeast(magic, 2, throwOnEndOfStream: false);
        file.Position = 0;
        return read == 2 && magic[0] == 0x1f && magic[1] == 0x8b;
    }

    private static IdxArray Read(Stream stream, string path)
    {
        Span<byte> header = stackalloc byte[4];
        ReadExactly(stream, header, path, "header (4 bytes)");
        if (header[0] != 0 || header[1] != 0)
            throw new IdxFormatException(path, $"bad magic number 0x{header[0]:x2}{header[1]:x2}{header[2]:x2}{header[3]:x2}: an IDX file starts with two zero bytes.");
        if (header[2] != UnsignedByte)
            throw new IdxFormatException(path, $"element type 0x{header[2]:x2} is not supported; expected 0x08 (unsigned byte).");
        var rank = header[3];
        if (rank == 0)
            throw new IdxFormatException(path, "has zero dimensions.");

        var dimensionBytes = new byte[4 * rank];
        ReadExactly(stream, dimensionBytes, path, $"{rank} dimension sizes");
        var dimensions = new int[rank];
        long count = 1;
        for (var i = 0; i < rank; i++)
        {
            dimensions[i] = BinaryPrimitives.ReadInt32BigEndian(dimensionBytes.AsSpan(4 * i));
            if (dimensions[i] <= 0)
                throw new IdxFormatException(path, $"dimension {i} has size {dimensions[i]}; sizes must be positive.");
            count *= dimensions[i];
            if (count > MaxElements)
                throw new IdxFormatException(path, $"dimensions [{string.Join(", ", dimensions.Take(i + 1))}] describe more than {MaxElements} elements.");
        }

        var elements = new byte[count];
        var read = stream.ReadAtLeast(elements, elements.Length, throwOnEndOfStream: false);
        if (read < elements.Length)
            throw new IdxFormatException(path, $"truncated: dimensions [{string.Join(", ", dimensions)}] need {elements.Length} data bytes but only {read} are present.");
        if (stream.ReadByte() != -1)
            throw new IdxFormatException(path, $"has trailing bytes after the {elements.Length} data bytes its dimensions [{string.Join(", ", dimensions)}] describe.");
        return new IdxArray(dimensions, elements);
    }

    private static void ReadExactly(Stream stream, Span<byte> buffer, string path, string what)
    {
        var read = stream.ReadAtLeast(buffer, buffer.Length, throwOnEndOfStream: false);
        if (read < buffer.Length)
            throw new IdxFormatException(path, $"truncated: ended after {read} of the {buffer.Length} bytes of the {what}.");
    }
}
